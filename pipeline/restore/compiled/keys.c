/* Keys: the lexicon's sorted keys as one UTF-8 blob ("\n" between keys) and their packed
 * entries (int32: zipf x 100 << 5 | role bits), looked up by bisection over byte strings
 * (UTF-8 keeps the order of code points, so the order is Python's). A state of the
 * search keeps its current compound part's node in a trie over the keys, so testing a
 * next letter is a look among that node's children. The trie is made as it is walked: a
 * node's children (one per letter that follows its prefix in some key, each with its
 * range of keys) are listed by bisection the first time it is reached, and kept, since
 * the same prefixes come back in word after word. The search tries thousands of letters
 * per word, most of them at nodes far apart in memory, so what it reads of a node is 16
 * bytes (its entry, its first child, a bitmap of its children's letters over an alphabet
 * of the 64 letters most frequent in the keys), and a node's children are consecutive
 * nodes in the alphabet's order: a letter's child is the first child plus the count of
 * the bitmap's letters before it, found without reading the children. Letters outside
 * the alphabet come after those, found by their letter in the nodes' `Span`s, which also
 * keep what only the trie's growth reads.
 *
 * Part of the module pipeline/restore/_search.c, which includes it.
 */

typedef struct {           /* a trie node as the search reads it: 16 bytes, four a line */
    int32_t entry;         /* the prefix's own entry, or -1 if it is no key */
    int32_t first;         /* its first child (children are consecutive nodes: those of
                              the alphabet's letters in its order, then the rare ones);
                              -1: not listed yet */
    uint64_t letters;      /* bit a set when a child's letter is the alphabet's a-th */
} Node;

typedef struct {           /* what only the trie's growth and rare letters read */
    int32_t lo, hi;        /* the keys that begin with the node's prefix */
    int32_t depth;         /* the prefix's length in bytes */
    int32_t count;         /* children, once listed */
    uint32_t letter;       /* the letter that leads to the node from its parent */
} Span;

#define ALPHABET 64        /* the letters (below 256) most frequent in the keys ... */
#define RARE 0xFF          /* ... and the others, found among a node's last children */

#define MAX_NODES 1000000  /* the trie starts afresh beyond this (about 36 MiB) */

typedef struct {
    PyObject_HEAD
    Node *nodes;            /* a trie over the keys, made as it is walked; 0 is the root */
    Span *spans;            /* beside each node */
    Py_ssize_t nnodes, nodes_cap;
    uint8_t alphabet[256];  /* a letter's place in the alphabet, or RARE */
    Py_buffer views[4];     /* read in place: the keys joined by "\n", the entries, and
                               (given, as the lexicon's mapped cache has them) the starts
                               and lengths */
    int nviews;
    int made;               /* start and length made here (freed with the keys) */
    const char *data;
    Py_ssize_t count;
    Py_ssize_t *start;      /* byte offset of each key */
    int32_t *length;        /* byte length of each key */
    const int32_t *packed;  /* entry beside each key */
} Keys;

static void Keys_dealloc(Keys *self) {
    for (int i = 0; i < self->nviews; i++)
        PyBuffer_Release(&self->views[i]);
    PyMem_Free(self->nodes);
    PyMem_Free(self->spans);
    if (self->made) {
        PyMem_Free(self->start);
        PyMem_Free(self->length);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The alphabet: the ALPHABET letters below 256 most frequent in the keys (ties by
 * letter) get a bit each in a node's bitmap; the others are RARE. */
static void make_alphabet(Keys *self, const unsigned char *data, Py_ssize_t size) {
    Py_ssize_t freq[256] = {0};
    for (Py_ssize_t i = 0; i < size; i++) {
        unsigned char c = data[i];
        if (c < 0x80)
            freq[c]++;
        else if ((c == 0xC2 || c == 0xC3) && i + 1 < size)  /* U+0080..U+00FF */
            freq[((c & 0x1F) << 6) | (data[i + 1] & 0x3F)]++;
    }
    freq['\n'] = 0;
    memset(self->alphabet, RARE, sizeof self->alphabet);
    for (int a = 0; a < ALPHABET; a++) {
        int best = -1;
        for (int c = 0; c < 256; c++)
            if (freq[c] && self->alphabet[c] == RARE && (best < 0 || freq[c] > freq[best]))
                best = c;
        if (best < 0)
            break;
        self->alphabet[best] = (uint8_t)a;
    }
}

/* Keys(keys, entries[, starts, lengths, alphabet]): buffers read in place, kept as long
 * as the keys are. Without the last three (the layout) they are worked out here. */
static int Keys_init(Keys *self, PyObject *args, PyObject *kwds) {
    Py_buffer *blob = &self->views[0], *packed = &self->views[1];
    Py_buffer *start = &self->views[2], *length = &self->views[3];
    Py_buffer alphabet = {0};
    if (self->nviews) {
        PyErr_SetString(PyExc_TypeError, "Keys are made once");
        return -1;
    }
    start->obj = length->obj = NULL;
    if (!PyArg_ParseTuple(args, "y*y*|y*y*y*", blob, packed, start, length, &alphabet))
        return -1;
    self->nviews = start->obj ? 4 : 2;
    const char *data = blob->buf;
    Py_ssize_t size = blob->len, count = packed->len / (Py_ssize_t)sizeof(int32_t);
    int given = start->obj != NULL;
    if (given && (!length->obj || !alphabet.obj || alphabet.len != 256
                  || start->len != count * (Py_ssize_t)sizeof(Py_ssize_t)
                  || length->len != count * (Py_ssize_t)sizeof(int32_t))) {
        PyBuffer_Release(&alphabet);
        PyErr_SetString(PyExc_ValueError, "the layout does not fit the keys");
        return -1;
    }
    if (given) {
        self->start = start->buf;
        self->length = length->buf;
        memcpy(self->alphabet, alphabet.buf, 256);
        PyBuffer_Release(&alphabet);
        /* a damaged file must not make the search read outside the keys */
        for (int c = 0; c < 256; c++)
            if (self->alphabet[c] != RARE && self->alphabet[c] >= ALPHABET)
                goto damaged;
        for (Py_ssize_t i = 0; i < count; i++)
            if (self->start[i] < 0 || self->length[i] < 0
                || self->start[i] > size - self->length[i])
                goto damaged;
    } else {
        self->made = 1;
        self->start = PyMem_Malloc(sizeof(Py_ssize_t) * (count + 1));
        self->length = PyMem_Malloc(sizeof(int32_t) * (count + 1));
        if (!self->start || !self->length) {
            PyErr_NoMemory();
            return -1;
        }
        Py_ssize_t k = 0, begin = 0;
        while (size && begin <= size) {
            const char *end = memchr(data + begin, '\n', size - begin);
            Py_ssize_t at = end ? end - data : size;
            if (k < count) {
                self->start[k] = begin;
                self->length[k] = (int32_t)(at - begin);
            }
            k++;
            begin = at + 1;
        }
        if (k != count) {
            PyErr_SetString(PyExc_ValueError, "keys and entries differ in number");
            return -1;
        }
        make_alphabet(self, (const unsigned char *)data, size);
    }
    self->packed = packed->buf;
    self->data = data;
    self->count = count;
    return 0;
damaged:
    PyErr_SetString(PyExc_ValueError, "the layout does not fit the keys");
    return -1;
}

static PyObject *Keys_layout(Keys *self, PyObject *unused) {
    /* what the keys worked out of their buffers, to be given back another time */
    return Py_BuildValue("(y#y#y#)", (const char *)self->start,
                         self->count * (Py_ssize_t)sizeof(Py_ssize_t),
                         (const char *)self->length,
                         self->count * (Py_ssize_t)sizeof(int32_t),
                         (const char *)self->alphabet, (Py_ssize_t)256);
}

/* Compare key i from byte `at` on with s[0:n] as a prefix: <0, 0 (key begins so), >0. */
static inline int prefix_cmp(const Keys *keys, Py_ssize_t i, Py_ssize_t at, const char *s,
                             Py_ssize_t n) {
    Py_ssize_t have = keys->length[i] - at;
    Py_ssize_t m = have < n ? have : n;
    int c = m > 0 ? memcmp(keys->data + keys->start[i] + at, s, m) : 0;
    if (c)
        return c;
    return have < n ? -1 : 0;
}

/* Narrow [lo, hi) (keys that share their first `at` bytes) to those continuing with s. */
static void narrow(const Keys *keys, Py_ssize_t *lo, Py_ssize_t *hi, Py_ssize_t at,
                   const char *s, Py_ssize_t n) {
    Py_ssize_t a = *lo, b = *hi;
    while (a < b) {  /* first key >= s */
        Py_ssize_t mid = (a + b) / 2;
        if (prefix_cmp(keys, mid, at, s, n) < 0) a = mid + 1; else b = mid;
    }
    Py_ssize_t first = a;
    b = *hi;
    while (a < b) {  /* first key > every key beginning with s */
        Py_ssize_t mid = (a + b) / 2;
        if (prefix_cmp(keys, mid, at, s, n) <= 0) a = mid + 1; else b = mid;
    }
    *lo = first;
    *hi = a;
}

static uint32_t decode(const unsigned char *c, int *width) {
    if (*c < 0x80) { *width = 1; return *c; }
    if (*c < 0xE0) { *width = 2; return ((uint32_t)(c[0] & 0x1F) << 6) | (c[1] & 0x3F); }
    if (*c < 0xF0) {
        *width = 3;
        return ((uint32_t)(c[0] & 0x0F) << 12) | ((uint32_t)(c[1] & 0x3F) << 6) | (c[2] & 0x3F);
    }
    *width = 4;
    return ((uint32_t)(c[0] & 0x07) << 18) | ((uint32_t)(c[1] & 0x3F) << 12) |
           ((uint32_t)(c[2] & 0x3F) << 6) | (c[3] & 0x3F);
}

static int32_t add_node(Keys *keys, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t depth,
                        uint32_t letter) {
    if (keys->nnodes == keys->nodes_cap) {
        Py_ssize_t cap = keys->nodes_cap ? keys->nodes_cap * 2 : 4096;
        Node *nodes = PyMem_Realloc(keys->nodes, sizeof(Node) * cap);
        if (nodes)
            keys->nodes = nodes;
        Span *spans = PyMem_Realloc(keys->spans, sizeof(Span) * cap);
        if (spans)
            keys->spans = spans;
        if (!nodes || !spans)
            return -1;
        keys->nodes_cap = cap;
    }
    Node *n = &keys->nodes[keys->nnodes];
    n->entry = lo < hi && keys->length[lo] == depth ? keys->packed[lo] : -1;
    n->first = -1;
    n->letters = 0;
    keys->spans[keys->nnodes] = (Span){(int32_t)lo, (int32_t)hi, (int32_t)depth, 0, letter};
    return (int32_t)keys->nnodes++;
}

typedef struct { uint32_t letter; Py_ssize_t lo, hi; int width; } Found;

/* List a node's children: one per letter that follows its prefix, found by bisection,
 * made consecutive nodes in the alphabet's order, the rare letters last. */
static int list_children(Keys *keys, int32_t id) {
    Span span = keys->spans[id];
    Py_ssize_t depth = span.depth, i = span.lo, n = 0, cap = 0;
    Found *found = NULL;
    while (i < span.hi) {
        if (keys->length[i] <= depth) { i++; continue; }
        const unsigned char *c = (const unsigned char *)keys->data + keys->start[i] + depth;
        int width;
        uint32_t letter = decode(c, &width);
        Py_ssize_t a = i, b = span.hi;
        narrow(keys, &a, &b, depth, (const char *)c, width);
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            Found *more = PyMem_Realloc(found, sizeof(Found) * cap);
            if (!more) { PyMem_Free(found); return -1; }
            found = more;
        }
        found[n++] = (Found){letter, a, b, width};
        i = b;
    }
    Py_ssize_t at[ALPHABET];  /* the child of each letter of the alphabet, or -1 */
    for (int a = 0; a < ALPHABET; a++) at[a] = -1;
    uint64_t letters = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        int a = found[k].letter < 256 ? keys->alphabet[found[k].letter] : RARE;
        if (a != RARE) { at[a] = k; letters |= (uint64_t)1 << a; }
    }
    int32_t first = (int32_t)keys->nnodes;
    for (int pass = 0; pass < 2; pass++) {
        for (Py_ssize_t j = 0; j < (pass ? n : ALPHABET); j++) {
            Py_ssize_t k = pass ? j : at[j];
            if (k < 0 || (pass && found[k].letter < 256
                          && keys->alphabet[found[k].letter] != RARE))
                continue;
            if (add_node(keys, found[k].lo, found[k].hi, depth + found[k].width,
                         found[k].letter) < 0) {
                PyMem_Free(found);
                return -1;
            }
        }
    }
    PyMem_Free(found);
    keys->nodes[id].first = first;
    keys->nodes[id].letters = letters;
    keys->spans[id].count = (int32_t)n;
    return 0;
}

static inline int ones(uint64_t x) {  /* popcount, with no call to libgcc */
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
}

/* The child of a node for `letter`: -1 if no key goes on so, -2 on no memory (an
 * exception is set then). */
static inline int32_t child_of(Keys *keys, int32_t id, uint32_t letter) {
    if (keys->nodes[id].first < 0 && list_children(keys, id) < 0) {
        PyErr_NoMemory();
        return -2;
    }
    const Node *n = &keys->nodes[id];
    int a = letter < 256 ? keys->alphabet[letter] : RARE;
    if (a != RARE) {  /* the child's place is the count of the alphabet's letters before */
        uint64_t bit = (uint64_t)1 << a;
        return n->letters & bit ? n->first + ones(n->letters & (bit - 1)) : -1;
    }
    for (int32_t k = n->first + ones(n->letters), end = n->first + keys->spans[id].count;
         k < end; k++)
        if (keys->spans[k].letter == letter)
            return k;
    return -1;
}

static int trie_start(Keys *keys) {
    /* a fresh root when there is none, or when the trie has grown too large */
    if (keys->nnodes && keys->nnodes < MAX_NODES)
        return 0;
    keys->nnodes = 0;
    return add_node(keys, 0, keys->count, 0, 0) < 0 ? -1 : 0;
}

/* The entry of an exact key, or -1. */
static int32_t lookup(const Keys *keys, const char *s, Py_ssize_t n) {
    Py_ssize_t lo = 0, hi = keys->count;
    narrow(keys, &lo, &hi, 0, s, n);
    if (lo < hi && keys->length[lo] == n)
        return keys->packed[lo];
    return -1;
}

static PyObject *Keys_entry(Keys *self, PyObject *arg) {
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &n);
    if (!s)
        return NULL;
    return PyLong_FromLong(lookup(self, s, n));
}

static PyObject *Keys_has_prefix(Keys *self, PyObject *arg) {
    Py_ssize_t n, lo = 0, hi = self->count;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &n);
    if (!s)
        return NULL;
    narrow(self, &lo, &hi, 0, s, n);
    return PyBool_FromLong(lo < hi);
}

static PyObject *Keys_next_letters(Keys *self, PyObject *arg) {
    /* the characters that follow the prefix in some key */
    Py_ssize_t n, lo = 0, hi = self->count;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &n);
    if (!s)
        return NULL;
    narrow(self, &lo, &hi, 0, s, n);
    PyObject *out = PyFrozenSet_New(NULL);
    if (!out)
        return NULL;
    Py_ssize_t i = lo;
    while (i < hi) {
        if (self->length[i] <= n) { i++; continue; }
        const unsigned char *c = (const unsigned char *)self->data + self->start[i] + n;
        int width = *c < 0x80 ? 1 : *c < 0xE0 ? 2 : *c < 0xF0 ? 3 : 4;
        PyObject *letter = PyUnicode_DecodeUTF8((const char *)c, width, "strict");
        if (!letter || PySet_Add(out, letter) < 0) {
            Py_XDECREF(letter);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(letter);
        Py_ssize_t a = i, b = hi;
        narrow(self, &a, &b, n, (const char *)c, width);
        i = b;
    }
    return out;
}

static Py_ssize_t Keys_len(Keys *self) { return self->count; }

static PyObject *Keys_key(Keys *self, PyObject *arg) {
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0 || i >= self->count) {
        PyErr_SetString(PyExc_IndexError, "no such key");
        return NULL;
    }
    return PyUnicode_DecodeUTF8(self->data + self->start[i], self->length[i], "strict");
}

static PyObject *Keys_trie(Keys *self, PyObject *unused) {
    return Py_BuildValue("(nn)", self->nnodes, self->nnodes ? self->nnodes - 1 : 0);
}

static PyMethodDef Keys_methods[] = {
    {"trie", (PyCFunction)Keys_trie, METH_NOARGS,
     "The trie's size so far: (nodes, children)."},
    {"entry", (PyCFunction)Keys_entry, METH_O, "The packed entry of a key, or -1."},
    {"has_prefix", (PyCFunction)Keys_has_prefix, METH_O, "Whether some key begins so."},
    {"next_letters", (PyCFunction)Keys_next_letters, METH_O,
     "The characters that follow the prefix in some key."},
    {"key", (PyCFunction)Keys_key, METH_O, "The key at a position."},
    {"layout", (PyCFunction)Keys_layout, METH_NOARGS,
     "The starts, lengths and alphabet worked out of the keys, as Keys takes them."},
    {NULL}
};

static PySequenceMethods Keys_sequence = {.sq_length = (lenfunc)Keys_len};

static PyTypeObject KeysType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pipeline.restore._search.Keys",
    .tp_basicsize = sizeof(Keys),
    .tp_dealloc = (destructor)Keys_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The lexicon's sorted keys and entries, searched by bisection.",
    .tp_methods = Keys_methods,
    .tp_as_sequence = &Keys_sequence,
    .tp_init = (initproc)Keys_init,
    .tp_new = PyType_GenericNew,
};
