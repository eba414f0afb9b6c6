/* The candidate search of pipeline/restore/candidates.py, compiled.
 *
 * `candidates._search` (Python) is the reference: this module does exactly what it does,
 * step for step and in the same order (the beam's ties, the queue, the merges), with the
 * same floating-point operations, so that it finds the same candidates with the same costs
 * and paths; tests/test_search.py compares the two on every correctable word of the
 * development corpora.
 *
 * Keys: the lexicon's sorted keys as one UTF-8 blob ("\n" between keys) and their packed
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
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- Keys */

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
    PyObject *blob;         /* bytes: keys joined by "\n" */
    const char *data;
    Py_ssize_t count;
    Py_ssize_t *start;      /* byte offset of each key */
    int32_t *length;        /* byte length of each key */
    int32_t *packed;        /* entry beside each key */
} Keys;

static void Keys_dealloc(Keys *self) {
    Py_XDECREF(self->blob);
    PyMem_Free(self->nodes);
    PyMem_Free(self->spans);
    PyMem_Free(self->start);
    PyMem_Free(self->length);
    PyMem_Free(self->packed);
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

static int Keys_init(Keys *self, PyObject *args, PyObject *kwds) {
    PyObject *blob;
    Py_buffer packed;
    if (!PyArg_ParseTuple(args, "Sy*", &blob, &packed))
        return -1;
    const char *data = PyBytes_AS_STRING(blob);
    Py_ssize_t size = PyBytes_GET_SIZE(blob), count = size ? 1 : 0;
    for (Py_ssize_t i = 0; i < size; i++)
        count += data[i] == '\n';
    if (packed.len != count * (Py_ssize_t)sizeof(int32_t)) {
        PyBuffer_Release(&packed);
        PyErr_SetString(PyExc_ValueError, "keys and entries differ in number");
        return -1;
    }
    self->start = PyMem_Malloc(sizeof(Py_ssize_t) * (count + 1));
    self->length = PyMem_Malloc(sizeof(int32_t) * (count + 1));
    self->packed = PyMem_Malloc(sizeof(int32_t) * (count + 1));
    if (!self->start || !self->length || !self->packed) {
        PyBuffer_Release(&packed);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(self->packed, packed.buf, packed.len);
    PyBuffer_Release(&packed);
    Py_ssize_t k = 0, begin = 0;
    for (Py_ssize_t i = 0; i <= size && count; i++) {
        if (i == size || data[i] == '\n') {
            self->start[k] = begin;
            self->length[k] = (int32_t)(i - begin);
            k++;
            begin = i + 1;
        }
    }
    make_alphabet(self, (const unsigned char *)data, size);
    Py_INCREF(blob);
    self->blob = blob;
    self->data = data;
    self->count = count;
    return 0;
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

/* -------------------------------------------------------------- search */

enum { LOWER = 1, UPPER = 2, TITLE = 4 };
enum { WORD = 1, BEGIN = 2, END = 4, PROPER = 8, PLACE = 16, ROLES = 31 };

typedef struct {           /* what an OCR position may be read as (candidates._option) */
    int step;              /* OCR characters consumed: 0 (a deletion), 1 or 2 */
    double lp0, lp1;
    int cases;
    const char *lower;     /* UTF-8 */
    Py_ssize_t lower_len;  /* bytes */
    Py_ssize_t lower_cps;  /* code points: at most two */
    uint32_t letters[2];
    PyObject *segment;     /* (truth, ocr), borrowed from the caller's lists */
    int edit;
} Option;

typedef struct Link {      /* a persistent list: the path, the part bounds */
    const struct Link *parent;
    PyObject *segment;
    Py_ssize_t bound;      /* byte offset */
    Py_ssize_t bound_cps;
} Link;

typedef struct {
    int pos;
    const char *text;      /* UTF-8, not terminated */
    Py_ssize_t len, cps;   /* bytes, code points */
    Py_ssize_t start, start_cps;  /* where the current part begins */
    double c0, c1;
    int deleted;
    const Link *bounds;
    int nbounds;
    const Link *path;
    int linked;
    int edits;
    int32_t node;          /* the trie node of the current part (its entry: the part's) */
    uint64_t text_hash;    /* fnv of the text, made as it grows */
} State;

typedef struct Chunk { struct Chunk *next; size_t used, size; char data[]; } Chunk;
typedef struct { Chunk *head; } Arena;

static void *arena_alloc(Arena *arena, size_t n) {
    n = (n + 15) & ~(size_t)15;
    Chunk *c = arena->head;
    if (!c || c->used + n > c->size) {
        size_t size = n > 65536 ? n : 65536;
        Chunk *fresh = PyMem_Malloc(sizeof(Chunk) + size);
        if (!fresh)
            return NULL;
        fresh->next = c;
        fresh->used = 0;
        fresh->size = size;
        arena->head = c = fresh;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static void arena_free(Arena *arena) {
    Chunk *c = arena->head;
    while (c) {
        Chunk *next = c->next;
        PyMem_Free(c);
        c = next;
    }
    arena->head = NULL;
}

/* A bucket: the states at one OCR position, one per (text, part start, linked), in the
 * order they were first made (a Python dict), with a hash index. */
typedef struct {
    const State **items;
    Py_ssize_t count, cap;
    Py_ssize_t *index;     /* slots: item number + 1, 0 = empty */
    Py_ssize_t slots;
} Bucket;

#define FNV_START 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

static uint64_t fnv(uint64_t h, const char *bytes, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)bytes[i]) * FNV_PRIME;
    return h;
}

static uint64_t state_hash(const State *s) {
    uint64_t h = (s->text_hash ^ (uint64_t)s->start) * FNV_PRIME;
    return (h ^ (uint64_t)s->linked) * FNV_PRIME;
}

static int same_key(const State *a, const State *b) {
    return a->len == b->len && a->start == b->start && a->linked == b->linked &&
           memcmp(a->text, b->text, a->len) == 0;
}

static int bucket_grow(Bucket *b) {
    Py_ssize_t cap = b->cap ? b->cap * 2 : 16;
    const State **items = PyMem_Realloc(b->items, sizeof(State *) * cap);
    if (!items)
        return -1;
    b->items = items;
    b->cap = cap;
    Py_ssize_t slots = cap * 2;
    Py_ssize_t *index = PyMem_Calloc(slots, sizeof(Py_ssize_t));
    if (!index)
        return -1;
    PyMem_Free(b->index);
    b->index = index;
    b->slots = slots;
    for (Py_ssize_t i = 0; i < b->count; i++) {
        uint64_t h = state_hash(b->items[i]) & (uint64_t)(slots - 1);
        while (index[h]) h = (h + 1) & (uint64_t)(slots - 1);
        index[h] = i + 1;
    }
    return 0;
}

/* The slot of the state's key: its item number + 1 there, or 0 where it would go. */
static Py_ssize_t *bucket_slot(Bucket *b, const State *s) {
    uint64_t mask = (uint64_t)(b->slots - 1);  /* slots: a power of two */
    uint64_t h = state_hash(s) & mask;
    while (b->index[h] && !same_key(b->items[b->index[h] - 1], s))
        h = (h + 1) & mask;
    return &b->index[h];
}

typedef struct {
    Keys *keys;
    Arena arena;
    Bucket *buckets;
    int positions;         /* OCR characters */
    int pattern;           /* LOWER, UPPER or TITLE */
    int max_edits;
    double max_cost;
    int min_part, min_before_letter;
    /* found candidates, in the order first found */
    const State **found;
    Py_ssize_t found_count, found_cap;
    int *found_parts;
    const State **queue;
    Py_ssize_t queue_count, queue_cap;
} Search;

static State *new_state(Search *S, const State *from) {
    State *s = arena_alloc(&S->arena, sizeof(State));
    if (!s)
        return NULL;
    *s = *from;
    return s;
}

static const Link *push(Search *S, const Link *parent, PyObject *segment, Py_ssize_t bound,
                        Py_ssize_t bound_cps) {
    Link *l = arena_alloc(&S->arena, sizeof(Link));
    if (!l)
        return NULL;
    l->parent = parent;
    l->segment = segment;
    l->bound = bound;
    l->bound_cps = bound_cps;
    return l;
}

static int roles_of_part(const Search *S, const State *s) {
    /* the current part's roles: its node's entry, if the part is a key */
    int32_t entry = S->keys->nodes[s->node].entry;
    return entry < 0 ? 0 : entry & ROLES;
}

static int roles_of(const Search *S, const char *text, Py_ssize_t n) {
    int32_t e = lookup(S->keys, text, n);
    return e < 0 ? 0 : e & ROLES;
}

static int enqueue(Search *S, const State *s) {
    if (S->queue_count == S->queue_cap) {
        Py_ssize_t cap = S->queue_cap ? S->queue_cap * 2 : 64;
        const State **q = PyMem_Realloc(S->queue, sizeof(State *) * cap);
        if (!q)
            return -1;
        S->queue = q;
        S->queue_cap = cap;
    }
    S->queue[S->queue_count++] = s;
    return 0;
}

/* Offer a state to the bucket of its position (candidates._search's loop body). */
static int offer(Search *S, State *next, int pos) {
    Bucket *b = &S->buckets[next->pos];
    if (b->count >= b->cap && bucket_grow(b) < 0)  /* the index stays half empty */
        return -1;
    Py_ssize_t *slot = bucket_slot(b, next);
    const State *old = *slot ? b->items[*slot - 1] : NULL;
    if (old && !(next->c0 < old->c0 || next->c1 < old->c1))
        return 0;
    const State *kept = next;
    if (old) {  /* _merge: the cheaper cost under each model, the rest from the better */
        const State *best = next->c0 + next->c1 < old->c0 + old->c1 ? next : old;
        State *merged = new_state(S, best);
        if (!merged)
            return -1;
        merged->c0 = next->c0 < old->c0 ? next->c0 : old->c0;
        merged->c1 = next->c1 < old->c1 ? next->c1 : old->c1;
        b->items[*slot - 1] = kept = merged;
    } else {
        b->items[b->count++] = next;
        *slot = b->count;
    }
    if (next->pos == pos)
        return enqueue(S, kept);
    return 0;
}

/* The state an option makes of a state: the state, its path's new step and its text made
 * in one piece of the arena. */
static State *extended(Search *S, const State *s, const Option *o, double n0, double n1) {
    size_t head = (sizeof(State) + sizeof(Link) + 15) & ~(size_t)15;
    char *block = arena_alloc(&S->arena, head + s->len + o->lower_len + 1);
    if (!block)
        return NULL;
    State *next = (State *)block;
    Link *step = (Link *)(block + sizeof(State));
    char *text = block + head;
    /* in blocks of 16 (no call for a few bytes): the arena rounds every piece up to 16
     * bytes, and a text ends its piece, so this one's room is no smaller than the one it
     * copies */
    for (Py_ssize_t i = 0; i < s->len; i += 16)
        memcpy(text + i, s->text + i, 16);
    for (Py_ssize_t i = 0; i < o->lower_len; i++)
        text[s->len + i] = o->lower[i];
    *step = (Link){s->path, o->segment, 0, 0};
    *next = *s;
    next->pos = s->pos + o->step;
    next->text = text;
    next->text_hash = fnv(s->text_hash, o->lower, o->lower_len);
    next->len = s->len + o->lower_len;
    next->cps = s->cps + o->lower_cps;
    next->c0 = n0;
    next->c1 = n1;
    next->deleted = s->deleted + (o->step == 0);
    next->path = step;
    next->edits = s->edits + o->edit;
    return next;
}

/* An option taken by a state it may extend (candidates._expand's loop body once the
 * option passed its cost, case and edit checks). */
static inline __attribute__((always_inline)) int take(Search *S, const State *s,
                                                     const Option *o, double n0, double n1,
                                                     int pos, int link) {
    int32_t node = s->node;  /* the part with `lower` added ... */
    for (int c = 0; c < o->lower_cps && node >= 0; c++)
        node = child_of(S->keys, node, o->letters[c]);
    if (node == -2)
        return -1;
    int prefix = node >= 0;  /* ... is a prefix of some key */
    int linking = link && o->lower_len == 1 && o->lower[0] == 's';
    if (!(prefix || linking))
        return 0;
    if (prefix) {
        State *next = extended(S, s, o, n0, n1);
        if (!next)
            return -1;
        next->node = node;
        /* its node is read when it is expanded: far in memory, so asked for now */
        __builtin_prefetch(&S->keys->nodes[node]);
        if (offer(S, next, pos) < 0)
            return -1;
    }
    if (linking) {
        State *next = extended(S, s, o, n0, n1);
        if (!next)
            return -1;
        next->start = next->len;
        next->start_cps = next->cps;
        next->bounds = push(S, s->bounds, NULL, next->len, next->cps);
        next->nbounds = s->nbounds + 1;
        next->linked = 1;
        next->node = 0;
        if (!next->bounds || offer(S, next, pos) < 0)
            return -1;
    }
    return 0;
}

/* Which options of a position a state may take, found with no look at each: for at
 * most 64 options, a bit each. An option keeps a state within the cost limit under a
 * model where the state's cost less the option's log-probability is no more than the
 * limit; for a given state cost that difference grows as the log-probability falls
 * (rounding keeps the order), so the options a state may take under a model are the
 * first ones in the order of their log-probabilities, likeliest first, counted with the
 * very subtraction and comparison each would be tried with. */
typedef struct {
    uint64_t by_case[8];            /* the options of each case (LOWER, UPPER, TITLE) */
    uint64_t plain;                 /* those that are no edit */
    double lp0[64], lp1[64];        /* the log-probabilities under each model, largest first */
    uint64_t first0[65], first1[65];  /* the options of the first j of them */
} Filter;

static void order_by(const Option *options, Py_ssize_t n, int model, double *lp,
                     uint64_t *first) {
    int8_t order[64];
    for (Py_ssize_t i = 0; i < n; i++) {  /* insertion sort: the likeliest first */
        double p = model ? options[i].lp1 : options[i].lp0;
        Py_ssize_t j = i;
        for (; j > 0 && p > lp[j - 1]; j--) {
            lp[j] = lp[j - 1];
            order[j] = order[j - 1];
        }
        lp[j] = p;
        order[j] = (int8_t)i;
    }
    first[0] = 0;
    for (Py_ssize_t j = 0; j < n; j++)
        first[j + 1] = first[j] | (uint64_t)1 << order[j];
}

/* Fill the filter of a list of options; 0 beyond 64 options or for a log-probability
 * that is no number (they are then tried one by one, with no filter), else 1. */
static int fill_filter(Filter *f, const Option *options, Py_ssize_t n) {
    if (n > 64)
        return 0;
    memset(f->by_case, 0, sizeof(f->by_case));
    f->plain = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (isnan(options[i].lp0) || isnan(options[i].lp1))
            return 0;
        for (int kase = 1; kase < 8; kase++)
            if (options[i].cases & kase)
                f->by_case[kase] |= (uint64_t)1 << i;
        if (!options[i].edit)
            f->plain |= (uint64_t)1 << i;
    }
    order_by(options, n, 0, f->lp0, f->first0);
    order_by(options, n, 1, f->lp1, f->first1);
    return 1;
}

/* How many of the log-probabilities (largest first) keep a state of this cost within
 * the limit: counted from the first (few pass, in general). */
static inline int within(const double *lp, int n, double cost, double max_cost) {
    int j = 0;
    while (j < n && !(cost - lp[j] > max_cost))
        j++;
    return j;
}

/* The options of a position tried on a state (the loop of candidates._expand), each
 * state made handed to `offer` at once, in the same order. */
static inline int try_options(Search *S, const State *s, const Option *options, Py_ssize_t n,
                              Filter *f, int pos, int link, int kase) {
    int capped = s->edits >= S->max_edits;
    if (f) {  /* the options that pass the checks, in their order */
        uint64_t pass = f->first0[within(f->lp0, (int)n, s->c0, S->max_cost)] |
                        f->first1[within(f->lp1, (int)n, s->c1, S->max_cost)];
        pass &= f->by_case[kase];
        if (capped)
            pass &= f->plain;
        while (pass) {
            const Option *o = &options[__builtin_ctzll(pass)];
            pass &= pass - 1;
            if (take(S, s, o, s->c0 - o->lp0, s->c1 - o->lp1, pos, link) < 0)
                return -1;
        }
        return 0;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        const Option *o = &options[k];
        double n0 = s->c0 - o->lp0, n1 = s->c1 - o->lp1;
        if ((n0 > S->max_cost && n1 > S->max_cost) || !(o->cases & kase) || (o->edit && capped))
            continue;
        if (take(S, s, o, n0, n1, pos, link) < 0)
            return -1;
    }
    return 0;
}

/* candidates._expand: the state's part ended (where it may begin a compound), then the
 * position's options, then the deletions if given (n_deletions > 0). */
static int expand(Search *S, const State *s, const Option *options, Py_ssize_t n,
                  Filter *filter, const Option *deletions, Py_ssize_t n_deletions,
                  Filter *deletions_filter, int pos) {
    int joins = s->cps - s->start_cps >= S->min_part && (roles_of_part(S, s) & BEGIN);
    if (joins) {
        State j = *s;
        j.start = s->len;
        j.start_cps = s->cps;
        j.bounds = push(S, s->bounds, NULL, s->len, s->cps);
        j.nbounds = s->nbounds + 1;
        j.node = 0;
        State *made = j.bounds ? new_state(S, &j) : NULL;
        if (!made || offer(S, made, pos) < 0)
            return -1;
    }
    int link = joins && S->pattern != LOWER && !(s->len && s->text[s->len - 1] == 's');
    int kase = S->pattern == UPPER || (S->pattern == TITLE && s->len == 0) ? S->pattern : LOWER;
    if (try_options(S, s, options, n, filter, pos, link, kase) < 0)
        return -1;
    return n_deletions ? try_options(S, s, deletions, n_deletions, deletions_filter, pos, link,
                                     kase)
                       : 0;
}

/* candidates._complete, with the parts as byte ranges of the state's text. */
static int complete(const Search *S, const State *s, const Py_ssize_t *cut,
                    const Py_ssize_t *cut_cps, int parts) {
    Py_ssize_t last_cps = s->cps - cut_cps[parts - 1];
    int roles = roles_of_part(S, s);  /* the last part is the state's current part */
    if (parts == 1)
        return (roles & WORD) != 0;
    if ((roles & PLACE) && S->pattern != LOWER) {
        if (last_cps >= S->min_part)
            return 1;
        if (parts == 2 && cut_cps[1] >= S->min_before_letter && !s->linked &&
            !(roles_of(S, s->text, cut[1]) & PROPER))
            return 1;
    }
    return last_cps >= S->min_part && (roles & END) && !s->linked;
}

static int finish(Search *S, const State *s) {
    int parts = s->nbounds + 1;
    Py_ssize_t cut[parts], cut_cps[parts];
    cut[0] = cut_cps[0] = 0;
    const Link *l = s->bounds;
    for (int i = parts - 1; i >= 1; i--, l = l->parent) {
        cut[i] = l->bound;
        cut_cps[i] = l->bound_cps;
    }
    if (!complete(S, s, cut, cut_cps, parts))
        return 0;
    for (Py_ssize_t i = 0; i < S->found_count; i++) {
        const State *old = S->found[i];
        if (old->len == s->len && memcmp(old->text, s->text, s->len) == 0) {
            double mine = s->c0 < s->c1 ? s->c0 : s->c1;
            double theirs = old->c0 < old->c1 ? old->c0 : old->c1;
            if (mine < theirs || parts < S->found_parts[i]) {
                S->found[i] = s;
                S->found_parts[i] = parts;
            }
            return 0;
        }
    }
    if (S->found_count == S->found_cap) {
        Py_ssize_t cap = S->found_cap ? S->found_cap * 2 : 16;
        const State **f = PyMem_Realloc(S->found, sizeof(State *) * cap);
        int *p = PyMem_Realloc(S->found_parts, sizeof(int) * cap);
        if (f) S->found = f;
        if (p) S->found_parts = p;
        if (!f || !p)
            return -1;
        S->found_cap = cap;
    }
    S->found[S->found_count] = s;
    S->found_parts[S->found_count++] = parts;
    return 0;
}

static double least(const State *s) { return s->c0 < s->c1 ? s->c0 : s->c1; }

/* A state of a bucket as the beam ranks it: its cost (the lesser of the two) read once,
 * beside it, so that ranking reads no state. */
typedef struct { double cost; Py_ssize_t index; const State *state; } Ranked;

static inline int before(const Ranked *x, const Ranked *y) {  /* ties keep their order */
    return x->cost < y->cost || (x->cost == y->cost && x->index < y->index);
}

static int by_cost(const void *a, const void *b) {
    return before(a, b) ? -1 : before(b, a);
}

/* Restore a heap (the dearest by `before` on top) below position i of h[0:n]. */
static void sift_down(Ranked *h, Py_ssize_t n, Py_ssize_t i) {
    for (;;) {
        Py_ssize_t top = i, l = 2 * i + 1, r = l + 1;
        if (l < n && before(&h[top], &h[l])) top = l;
        if (r < n && before(&h[top], &h[r])) top = r;
        if (top == i)
            return;
        Ranked t = h[i];
        h[i] = h[top];
        h[top] = t;
        i = top;
    }
}

/* Move the `beam` first of `ranked` in the order of `before` (a total order: ties go by
 * index) to its front, in no particular order, and return how many there are: what a full
 * sort would put first, found with a heap of `beam` (the dearest of them on top) instead
 * of a sort of all. */
static Py_ssize_t cheapest(Ranked *ranked, Py_ssize_t n, int beam) {
    if (n <= beam)
        return n;
    for (Py_ssize_t i = beam / 2 - 1; i >= 0; i--)
        sift_down(ranked, beam, i);
    for (Py_ssize_t i = beam; i < n; i++) {
        if (before(&ranked[i], &ranked[0])) {
            ranked[0] = ranked[i];
            sift_down(ranked, beam, 0);
        }
    }
    return beam;
}

/* Sort by `before`: by insertion where there are few (a beam's worth), else qsort. */
static void rank(Ranked *ranked, Py_ssize_t n) {
    if (n > 64) {
        qsort(ranked, n, sizeof(Ranked), by_cost);
        return;
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        Ranked r = ranked[i];
        Py_ssize_t j = i;
        for (; j > 0 && before(&r, &ranked[j - 1]); j--)
            ranked[j] = ranked[j - 1];
        ranked[j] = r;
    }
}

static int run(Search *S, Option **options, Py_ssize_t *counts, Filter **filters,
               const Option *deletions, Py_ssize_t ndel, Filter *deletions_filter,
               int beam) {
    for (int pos = 0; pos <= S->positions; pos++) {
        Bucket *b = &S->buckets[pos];
        Py_ssize_t n = b->count;
        if (!n)
            continue;
        /* heapq.nsmallest(beam, ...): the cheapest, ties in the bucket's order */
        Ranked *ranked = PyMem_Malloc(sizeof(Ranked) * n);
        if (!ranked)
            return -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            ranked[i].state = b->items[i];
            ranked[i].cost = least(b->items[i]);
            ranked[i].index = i;
        }
        Py_ssize_t kept = cheapest(ranked, n, beam);
        rank(ranked, kept);
        S->queue_count = 0;
        for (Py_ssize_t i = 0; i < kept; i++) {
            if (enqueue(S, ranked[i].state) < 0) {
                PyMem_Free(ranked);
                return -1;
            }
        }
        PyMem_Free(ranked);
        while (S->queue_count) {
            const State *s = S->queue[--S->queue_count];
            if (pos == S->positions) {
                if (finish(S, s) < 0)
                    return -1;
                continue;
            }
            int plain = s->deleted != 0;
            if (expand(S, s, options[pos], counts[pos], filters[pos], deletions,
                       plain ? 0 : ndel, deletions_filter, pos) < 0)
                return -1;
        }
    }
    return 0;
}

/* Read an option tuple: (step, lp0, lp1, cases, lower, segment, edit). */
static int read_option(PyObject *t, Option *o, PyObject *names[3]) {
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 7) {
        PyErr_SetString(PyExc_TypeError, "an option is a tuple of 7");
        return -1;
    }
    o->step = (int)PyLong_AsLong(PyTuple_GET_ITEM(t, 0));
    o->lp0 = PyFloat_AsDouble(PyTuple_GET_ITEM(t, 1));
    o->lp1 = PyFloat_AsDouble(PyTuple_GET_ITEM(t, 2));
    PyObject *cases = PyTuple_GET_ITEM(t, 3);
    o->cases = 0;
    for (int i = 0; i < 3; i++) {
        int has = PySequence_Contains(cases, names[i]);
        if (has < 0)
            return -1;
        o->cases |= has ? (1 << i) : 0;
    }
    PyObject *lower = PyTuple_GET_ITEM(t, 4);
    o->lower = PyUnicode_AsUTF8AndSize(lower, &o->lower_len);
    if (!o->lower)
        return -1;
    o->lower_cps = PyUnicode_GET_LENGTH(lower);
    if (o->lower_cps > 2) {
        PyErr_SetString(PyExc_ValueError, "an option reads at most two letters");
        return -1;
    }
    for (Py_ssize_t c = 0; c < o->lower_cps; c++)
        o->letters[c] = PyUnicode_READ_CHAR(lower, c);
    o->segment = PyTuple_GET_ITEM(t, 5);
    o->edit = PyObject_IsTrue(PyTuple_GET_ITEM(t, 6));
    if (PyErr_Occurred())
        return -1;
    return 0;
}

/* Whether a found reading's first part is a name in the keys searched (its roles have
 * PROPER): the state's own node where the reading is one part, else a look-up. */
static int first_part_proper(const Search *S, const State *s) {
    if (!s->nbounds)
        return (roles_of_part(S, s) & PROPER) != 0;
    const Link *l = s->bounds;
    while (l->parent)
        l = l->parent;
    return (roles_of(S, s->text, l->bound) & PROPER) != 0;
}

static PyObject *result(Search *S) {
    /* (text, (cost0, cost1), parts, path, proper) per candidate, cheapest first, ties in
     * the order found (Python's sorted); proper: the first part is a name in the keys */
    const State **order = PyMem_Malloc(sizeof(State *) * (S->found_count + 1));
    if (!order)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < S->found_count; i++) {  /* insertion sort: stable */
        const State *s = S->found[i];
        Py_ssize_t j = i;
        while (j > 0 && least(s) < least(order[j - 1])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = s;
    }
    PyObject *out = PyList_New(S->found_count);
    if (!out) { PyMem_Free(order); return NULL; }
    for (Py_ssize_t i = 0; i < S->found_count; i++) {
        const State *s = order[i];
        int parts = s->nbounds + 1, steps = 0;
        for (const Link *l = s->path; l; l = l->parent) steps++;
        PyObject *text = PyUnicode_DecodeUTF8(s->text, s->len, "strict");
        PyObject *cost = Py_BuildValue("(dd)", s->c0, s->c1);
        PyObject *part_tuple = PyTuple_New(parts);
        PyObject *path = PyTuple_New(steps);
        if (!text || !cost || !part_tuple || !path) {
            Py_XDECREF(text); Py_XDECREF(cost); Py_XDECREF(part_tuple); Py_XDECREF(path);
            Py_DECREF(out);
            PyMem_Free(order);
            return NULL;
        }
        Py_ssize_t end = s->len;
        const Link *l = s->bounds;
        for (int k = parts - 1; k >= 0; k--) {
            Py_ssize_t begin = k ? l->bound : 0;
            PyObject *part = PyUnicode_DecodeUTF8(s->text + begin, end - begin, "strict");
            if (!part) {
                Py_DECREF(text); Py_DECREF(cost); Py_DECREF(part_tuple); Py_DECREF(path);
                Py_DECREF(out);
                PyMem_Free(order);
                return NULL;
            }
            PyTuple_SET_ITEM(part_tuple, k, part);
            end = begin;
            if (k)
                l = l->parent;
        }
        int k = steps;
        for (const Link *p = s->path; p; p = p->parent) {
            Py_INCREF(p->segment);
            PyTuple_SET_ITEM(path, --k, p->segment);
        }
        PyObject *item = PyTuple_Pack(5, text, cost, part_tuple, path,
                                      first_part_proper(S, s) ? Py_True : Py_False);
        Py_DECREF(text); Py_DECREF(cost); Py_DECREF(part_tuple); Py_DECREF(path);
        if (!item) {
            Py_DECREF(out);
            PyMem_Free(order);
            return NULL;
        }
        PyList_SET_ITEM(out, i, item);
    }
    PyMem_Free(order);
    return out;
}

/* Options: a list of option tuples converted once. candidates' lists of what an OCR
 * segment may be read as are made once per process and shared by every search, so their
 * conversion is made once too; `items` keeps alive what the converted options borrow. */
typedef struct {
    PyObject_HEAD
    PyObject *items;       /* a tuple of the option tuples */
    Option *options;
    Py_ssize_t count;
    Filter *filter;        /* made once too; NULL beyond 64 options */
} Options;

static void Options_dealloc(Options *self) {
    Py_XDECREF(self->items);
    PyMem_Free(self->options);
    PyMem_Free(self->filter);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Options_init(Options *self, PyObject *args, PyObject *kwds) {
    PyObject *list;
    if (!PyArg_ParseTuple(args, "O", &list))
        return -1;
    PyObject *items = PySequence_Tuple(list);
    if (!items)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    Option *options = PyMem_Malloc(sizeof(Option) * (n + 1));
    PyObject *names[3] = {PyUnicode_InternFromString("lower"),
                          PyUnicode_InternFromString("upper"),
                          PyUnicode_InternFromString("title")};
    int failed = !options || !names[0] || !names[1] || !names[2];
    if (failed && !PyErr_Occurred())
        PyErr_NoMemory();
    for (Py_ssize_t i = 0; !failed && i < n; i++)
        failed = read_option(PyTuple_GET_ITEM(items, i), &options[i], names) < 0;
    for (int i = 0; i < 3; i++)
        Py_XDECREF(names[i]);
    Filter *filter = failed ? NULL : PyMem_Malloc(sizeof(Filter));
    if (!failed && !filter) {
        PyErr_NoMemory();
        failed = 1;
    }
    if (failed) {
        Py_DECREF(items);
        PyMem_Free(options);
        return -1;
    }
    if (!fill_filter(filter, options, n)) {
        PyMem_Free(filter);
        filter = NULL;
    }
    Py_XDECREF(self->items);
    PyMem_Free(self->options);
    PyMem_Free(self->filter);
    self->items = items;
    self->options = options;
    self->count = n;
    self->filter = filter;
    return 0;
}

static Py_ssize_t Options_len(Options *self) { return self->count; }

static PySequenceMethods Options_sequence = {.sq_length = (lenfunc)Options_len};

static PyTypeObject OptionsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pipeline.restore._search.Options",
    .tp_basicsize = sizeof(Options),
    .tp_dealloc = (destructor)Options_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A list of option tuples, converted once for the search.",
    .tp_as_sequence = &Options_sequence,
    .tp_init = (initproc)Options_init,
    .tp_new = PyType_GenericNew,
};

/* A position's options and their filter: an Options' own (converted once), or a list's,
 * converted into the search's arena (the filter NULL beyond 64 options). */
static Option *read_options(PyObject *list, Py_ssize_t *count, Filter **filter,
                            PyObject *names[3], Arena *arena) {
    if (PyObject_TypeCheck(list, &OptionsType)) {
        *count = ((Options *)list)->count;
        *filter = ((Options *)list)->filter;
        return ((Options *)list)->options;
    }
    PyObject *seq = PySequence_Fast(list, "options must be a list");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    Option *out = arena_alloc(arena, sizeof(Option) * (n + 1));
    if (!out) { Py_DECREF(seq); PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (read_option(PySequence_Fast_GET_ITEM(seq, i), &out[i], names) < 0) {
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);  /* the items stay alive in the caller's list */
    *count = n;
    Filter *f = arena_alloc(arena, sizeof(Filter));
    if (!f) { PyErr_NoMemory(); return NULL; }
    *filter = fill_filter(f, out, n) ? f : NULL;
    return out;
}

static PyObject *search(PyObject *module, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"keys", "options", "deletions", "pattern", "beam", "max_edits",
                             "max_cost", "min_part", "min_before_letter", NULL};
    Keys *keys;
    PyObject *options_list, *deletions_list;
    const char *pattern;
    int beam, max_edits, min_part, min_before_letter;
    double max_cost;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OOsiidii", kwlist, &KeysType, &keys,
                                     &options_list, &deletions_list, &pattern, &beam,
                                     &max_edits, &max_cost, &min_part, &min_before_letter))
        return NULL;
    PyObject *names[3] = {PyUnicode_InternFromString("lower"),
                          PyUnicode_InternFromString("upper"),
                          PyUnicode_InternFromString("title")};
    if (trie_start(keys) < 0)
        return PyErr_NoMemory();
    Search S = {0};
    S.keys = keys;
    S.pattern = strcmp(pattern, "upper") == 0 ? UPPER : strcmp(pattern, "title") == 0 ? TITLE
                                                                                     : LOWER;
    S.max_edits = max_edits;
    S.max_cost = max_cost;
    S.min_part = min_part;
    S.min_before_letter = min_before_letter;
    PyObject *out = NULL;
    Py_ssize_t positions = PyList_Size(options_list);
    Option **options = NULL;
    Filter **filters = NULL, *deletions_filter = NULL;
    Py_ssize_t *counts = NULL, ndel = 0;
    Option *deletions = NULL;
    if (positions < 0)
        goto done;
    S.positions = (int)positions;
    options = PyMem_Calloc(positions + 1, sizeof(Option *));
    counts = PyMem_Calloc(positions + 1, sizeof(Py_ssize_t));
    filters = PyMem_Calloc(positions + 1, sizeof(Filter *));
    S.buckets = PyMem_Calloc(positions + 1, sizeof(Bucket));
    if (!options || !counts || !filters || !S.buckets) {
        PyErr_NoMemory();
        goto done;
    }
    deletions = read_options(deletions_list, &ndel, &deletions_filter, names, &S.arena);
    if (!deletions)
        goto done;
    for (Py_ssize_t p = 0; p < positions; p++) {
        options[p] = read_options(PyList_GET_ITEM(options_list, p), &counts[p], &filters[p],
                                  names, &S.arena);
        if (!options[p])
            goto done;
    }
    State first = {0};
    first.text = "";
    first.text_hash = FNV_START;
    first.node = 0;
    State *start = new_state(&S, &first);
    if (!start || bucket_grow(&S.buckets[0]) < 0) { PyErr_NoMemory(); goto done; }
    S.buckets[0].items[S.buckets[0].count++] = start;
    *bucket_slot(&S.buckets[0], start) = 1;
    if (run(&S, options, counts, filters, deletions, ndel, deletions_filter, beam) < 0) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    out = result(&S);
done:
    for (int i = 0; i < 3; i++) Py_XDECREF(names[i]);
    if (S.buckets) {
        for (Py_ssize_t p = 0; p <= positions; p++) {
            PyMem_Free(S.buckets[p].items);
            PyMem_Free(S.buckets[p].index);
        }
    }
    PyMem_Free(S.buckets);
    PyMem_Free(S.found);
    PyMem_Free(S.found_parts);
    PyMem_Free(S.queue);
    PyMem_Free(options);
    PyMem_Free(counts);
    PyMem_Free(filters);
    arena_free(&S.arena);
    return out;
}

/* ------------------------------------------------------ mixture fit */

/* Python's sum() of floats (its start the int 0): one after another up to 3.11, with
 * Neumaier's compensation from 3.12 on. */
static double python_sum(const double *x, Py_ssize_t n) {
    if (n == 0)
        return 0.0;
    double f = x[0];
#if PY_VERSION_HEX >= 0x030C0000
    double c = 0.0;
    for (Py_ssize_t i = 1; i < n; i++) {
        double t = f + x[i];
        if (fabs(f) >= fabs(x[i]))
            c += (f - t) + x[i];
        else
            c += (x[i] - t) + f;
        f = t;
    }
    if (c && isfinite(c))
        f += c;
#else
    for (Py_ssize_t i = 1; i < n; i++)
        f += x[i];
#endif
    return f;
}

/* The terms of a word's readings, added to `terms`: five doubles each (prior less
 * penalty, cost under each model, 10 ** -cost under each); returns 1 if one of its
 * readings tells the models apart (decide.fit_mixture's "informative"), else 0. */
static int grow_terms(double **terms, Py_ssize_t *cap, Py_ssize_t need) {
    if (need <= *cap)
        return 0;
    Py_ssize_t grown = *cap ? *cap * 2 : 4096;
    while (grown < need)
        grown *= 2;
    double *more = PyMem_Realloc(*terms, sizeof(double) * grown);
    if (!more) {
        PyErr_NoMemory();
        return -1;
    }
    *terms = more;
    *cap = grown;
    return 0;
}

/* The terms of a word's readings made already (`terms`): bytes, five doubles each. */
static int copy_terms(PyObject *made, double **terms, Py_ssize_t *used, Py_ssize_t *cap) {
    Py_ssize_t n = PyBytes_GET_SIZE(made) / (Py_ssize_t)sizeof(double);
    if (n % 5 || grow_terms(terms, cap, *used + n) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "terms are five doubles a reading");
        return -1;
    }
    double *x = *terms + *used;
    memcpy(x, PyBytes_AS_STRING(made), sizeof(double) * n);
    *used += n;
    int informative = 0;
    for (Py_ssize_t k = 0; k < n; k += 5)
        informative |= fabs(x[k + 1] - x[k + 2]) > 1.0;
    return informative;
}

static int read_terms(PyObject *hyps, double **terms, Py_ssize_t *used, Py_ssize_t *cap,
                      PyObject *names[3]) {
    if (PyBytes_Check(hyps))
        return copy_terms(hyps, terms, used, cap);
    PyObject *seq = PySequence_Fast(hyps, "readings must be a list");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), start = *used;
    int informative = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *h = PySequence_Fast_GET_ITEM(seq, k);
        PyObject *prior = PyObject_GetAttr(h, names[0]);
        PyObject *penalty = prior ? PyObject_GetAttr(h, names[1]) : NULL;
        PyObject *cost = penalty ? PyObject_GetAttr(h, names[2]) : NULL;
        if (cost && (!PyTuple_Check(cost) || PyTuple_GET_SIZE(cost) != 2)) {
            PyErr_SetString(PyExc_TypeError, "a reading's cost is a pair");
            Py_CLEAR(cost);
        }
        double p = prior ? PyFloat_AsDouble(prior) : -1, q = penalty ? PyFloat_AsDouble(penalty) : -1;
        double c0 = cost ? PyFloat_AsDouble(PyTuple_GET_ITEM(cost, 0)) : -1;
        double c1 = cost ? PyFloat_AsDouble(PyTuple_GET_ITEM(cost, 1)) : -1;
        Py_XDECREF(prior);
        Py_XDECREF(penalty);
        Py_XDECREF(cost);
        if (PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
        if (grow_terms(terms, cap, *used + 5) < 0) {
            Py_DECREF(seq);
            return -1;
        }
        double *x = *terms + *used;
        x[0] = p - q;
        x[1] = c0;
        x[2] = c1;
        x[3] = pow(10.0, -c0);
        x[4] = pow(10.0, -c1);
        *used += 5;
        informative |= fabs(c0 - c1) > 1.0;
    }
    Py_DECREF(seq);
    (void)start;
    return informative;
}

/* The scores of a word's readings under the mixture (decide.mixture_posteriors before
 * its normalisation), turned into weights 10 ** (score - best score); returns their
 * Python sum. */
static double mixture_weights(const double *x, int32_t size, double le, double lr,
                              double *weights) {
    double top = 0.0;
    for (int32_t k = 0; k < size; k++) {
        const double *h = x + 5 * k;
        double a = le - h[1], b = lr - h[2], score;
        if (b > a)  /* top = max(a, b); 10 ** (top - top) == 1.0 */
            score = h[0] + (b + log10(pow(10.0, a - b) + 1.0));
        else
            score = h[0] + (a + log10(1.0 + pow(10.0, b - a)));
        weights[k] = score;
        if (k == 0 || score > top)
            top = score;
    }
    for (int32_t k = 0; k < size; k++)
        weights[k] = pow(10.0, weights[k] - top);
    return python_sum(weights, size);
}

/* The terms of a word's readings as bytes, to be given to fit_mixture and
 * best_readings in place of the readings: a word's are the same in every document. */
static PyObject *terms_of(PyObject *module, PyObject *hyps) {
    PyObject *names[3] = {PyUnicode_InternFromString("prior"),
                          PyUnicode_InternFromString("penalty"),
                          PyUnicode_InternFromString("cost")};
    double *t = NULL;
    Py_ssize_t used = 0, cap = 0;
    PyObject *out = NULL;
    if (!names[0] || !names[1] || !names[2])
        PyErr_NoMemory();
    else if (PyBytes_Check(hyps))
        PyErr_SetString(PyExc_TypeError, "the terms of a list of readings");
    else if (read_terms(hyps, &t, &used, &cap, names) >= 0)
        out = PyBytes_FromStringAndSize(used ? (const char *)t : "", sizeof(double) * used);
    for (int i = 0; i < 3; i++)
        Py_XDECREF(names[i]);
    PyMem_Free(t);
    return out;
}

/* decide.fit_mixture, operation for operation (Python's float ** and math.log10 are the
 * C library's pow and log10 here): `groups` is a list of (readings, occurrences). */
static PyObject *fit_mixture(PyObject *module, PyObject *args) {
    PyObject *groups;
    int rounds;
    if (!PyArg_ParseTuple(args, "O!i", &PyList_Type, &groups, &rounds))
        return NULL;
    PyObject *names[3] = {PyUnicode_InternFromString("prior"),
                          PyUnicode_InternFromString("penalty"),
                          PyUnicode_InternFromString("cost")};
    Py_ssize_t n = PyList_GET_SIZE(groups), used = 0, cap = 0, kept = 0, widest = 0;
    double *t = NULL, *weights = NULL;
    int32_t *size = PyMem_Malloc(sizeof(int32_t) * (n + 1));
    long *count = PyMem_Malloc(sizeof(long) * (n + 1));
    long tokens = 0;
    PyObject *out = NULL;
    if (!size || !count || !names[0] || !names[1] || !names[2]) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t g = 0; g < n; g++) {
        PyObject *pair = PyList_GET_ITEM(groups, g);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "a group is (readings, occurrences)");
            goto done;
        }
        Py_ssize_t before = used;
        int informative = read_terms(PyTuple_GET_ITEM(pair, 0), &t, &used, &cap, names);
        if (informative < 0)
            goto done;
        if (!informative) {
            used = before;
            continue;
        }
        size[kept] = (int32_t)((used - before) / 5);
        count[kept] = PyLong_AsLong(PyTuple_GET_ITEM(pair, 1));
        if (count[kept] == -1 && PyErr_Occurred())
            goto done;
        tokens += count[kept];
        widest = size[kept] > widest ? size[kept] : widest;
        kept++;
    }
    if (!kept) {
        out = PyFloat_FromDouble(0.5);
        goto done;
    }
    weights = PyMem_Malloc(sizeof(double) * (widest + 1));
    if (!weights) {
        PyErr_NoMemory();
        goto done;
    }
    double english = 0.5;
    for (int r = 0; r < rounds; r++) {
        double total = 0.0;
        double le = log10(english > 1e-9 ? english : 1e-9);
        double rest = 1 - english;
        double lr = log10(rest > 1e-9 ? rest : 1e-9);
        const double *x = t;  /* the first reading of the word */
        for (Py_ssize_t g = 0; g < kept; x += 5 * size[g], g++) {
            double whole = mixture_weights(x, size[g], le, lr, weights);
            for (int32_t k = 0; k < size[g]; k++) {
                const double *h = x + 5 * k;
                double a = english * h[3], b = rest * h[4];
                total += (double)count[g] * (weights[k] / whole) * (a + b ? a / (a + b) : 0.5);
            }
        }
        double share = total / (double)tokens;
        share = 0.001 > share ? 0.001 : share;
        english = 0.999 < share ? 0.999 : share;
    }
    out = PyFloat_FromDouble(english);
done:
    for (int i = 0; i < 3; i++)
        Py_XDECREF(names[i]);
    PyMem_Free(t);
    PyMem_Free(weights);
    PyMem_Free(size);
    PyMem_Free(count);
    return out;
}

/* For each (readings, occurrences) of `groups`: the reading decide.mixture_posteriors
 * puts first (the first if several) and its posterior, at this share of English. */
static PyObject *best_readings(PyObject *module, PyObject *args) {
    PyObject *groups;
    double english;
    if (!PyArg_ParseTuple(args, "O!d", &PyList_Type, &groups, &english))
        return NULL;
    PyObject *names[3] = {PyUnicode_InternFromString("prior"),
                          PyUnicode_InternFromString("penalty"),
                          PyUnicode_InternFromString("cost")};
    Py_ssize_t n = PyList_GET_SIZE(groups), used = 0, cap = 0, wcap = 0;
    double *t = NULL, *weights = NULL;
    double le = log10(english > 1e-9 ? english : 1e-9);
    double rest = 1 - english;
    double lr = log10(rest > 1e-9 ? rest : 1e-9);
    PyObject *out = PyList_New(n);
    if (!out || !names[0] || !names[1] || !names[2])
        goto fail;
    for (Py_ssize_t g = 0; g < n; g++) {
        PyObject *pair = PyList_GET_ITEM(groups, g);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) < 1) {
            PyErr_SetString(PyExc_TypeError, "a group is (readings, occurrences)");
            goto fail;
        }
        used = 0;
        if (read_terms(PyTuple_GET_ITEM(pair, 0), &t, &used, &cap, names) < 0)
            goto fail;
        Py_ssize_t size = used / 5;
        if (size == 0) {
            PyErr_SetString(PyExc_ValueError, "a word without readings");
            goto fail;
        }
        if (size > wcap) {
            double *more = PyMem_Realloc(weights, sizeof(double) * size);
            if (!more) {
                PyErr_NoMemory();
                goto fail;
            }
            weights = more;
            wcap = size;
        }
        double whole = mixture_weights(t, (int32_t)size, le, lr, weights);
        Py_ssize_t best = 0;
        double top = weights[0] / whole;
        for (Py_ssize_t k = 1; k < size; k++) {
            double post = weights[k] / whole;
            if (post > top) {
                top = post;
                best = k;
            }
        }
        PyObject *item = Py_BuildValue("(nd)", best, top);
        if (!item)
            goto fail;
        PyList_SET_ITEM(out, g, item);
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    for (int i = 0; i < 3; i++)
        Py_XDECREF(names[i]);
    PyMem_Free(t);
    PyMem_Free(weights);
    return out;
}

/* A reading's fields that its score reads: prior, penalty, whether it is the token no
 * list has, and its path (a new reference). */
static int read_reading(PyObject *h, PyObject *names[4], double *p, double *q, int *unknown,
                        PyObject **path) {
    PyObject *prior = PyObject_GetAttr(h, names[0]);
    PyObject *penalty = prior ? PyObject_GetAttr(h, names[1]) : NULL;
    PyObject *is_unknown = penalty ? PyObject_GetAttr(h, names[2]) : NULL;
    *path = is_unknown ? PyObject_GetAttr(h, names[3]) : NULL;
    *p = prior ? PyFloat_AsDouble(prior) : -1;
    *q = penalty ? PyFloat_AsDouble(penalty) : -1;
    *unknown = is_unknown ? PyObject_IsTrue(is_unknown) : -1;
    Py_XDECREF(prior);
    Py_XDECREF(penalty);
    Py_XDECREF(is_unknown);
    if (*path && !PyTuple_Check(*path)) {
        PyErr_SetString(PyExc_TypeError, "a reading's path is a tuple");
        Py_CLEAR(*path);
    }
    if (!*path || PyErr_Occurred()) {
        Py_CLEAR(*path);
        return -1;
    }
    return 0;
}

static int reading_names(PyObject *names[4]) {
    names[0] = PyUnicode_InternFromString("prior");
    names[1] = PyUnicode_InternFromString("penalty");
    names[2] = PyUnicode_InternFromString("unknown");
    names[3] = PyUnicode_InternFromString("path");
    return names[0] && names[1] && names[2] && names[3] ? 0 : -1;
}

/* A reading's score: its prior (adjusted if it is the token no list has) less its
 * penalty, plus the log probabilities of its path's segments read from `logps`, summed as
 * Python's sum() does; NULL on an error. */
static PyObject *score_of(double p, double q, int unknown, PyObject *path, PyObject *logps,
                          double keep_adjust, double **terms, Py_ssize_t *cap) {
    Py_ssize_t m = PyTuple_GET_SIZE(path);
    if (m > *cap) {
        double *more = PyMem_Realloc(*terms, sizeof(double) * m);
        if (!more)
            return PyErr_NoMemory();
        *terms = more;
        *cap = m;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *v = PyObject_GetItem(logps, PyTuple_GET_ITEM(path, i));
        (*terms)[i] = v ? PyFloat_AsDouble(v) : -1;
        Py_XDECREF(v);
        if (!v || PyErr_Occurred())
            return NULL;
    }
    double base = unknown ? p + keep_adjust : p;
    return PyFloat_FromDouble(base - q + python_sum(*terms, m));
}

/* The (truth, ocr) pairs of the readings' paths, numbered in the order first seen by this
 * process (a few thousand: what the channel reads as what), so that a document's logps
 * are an array by number (`Logps`) rather than a mapping looked up by tuple. */
static PyObject *pair_numbers;  /* dict: pair -> its number */
static PyObject *pairs;         /* list: number -> pair */

static int32_t pair_number(PyObject *pair) {
    PyObject *known = PyDict_GetItemWithError(pair_numbers, pair);
    if (known)
        return (int32_t)PyLong_AsLong(known);
    if (PyErr_Occurred())
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(pairs);
    PyObject *number = PyLong_FromSsize_t(n);
    int failed = !number || n >= INT32_MAX || PyDict_SetItem(pair_numbers, pair, number) < 0
                 || PyList_Append(pairs, pair) < 0;
    Py_XDECREF(number);
    return failed ? -1 : (int32_t)n;
}

/* Readings: a word's readings' fields that `scores` reads, read once. A word's readings
 * are the same in every document; only the document's logps differ. */
typedef struct {
    PyObject_HEAD
    Py_ssize_t count;
    double *prior, *penalty;
    int *unknown;
    PyObject *paths;       /* a tuple of the readings' paths */
    Py_ssize_t *start;     /* reading k's pairs are numbers[start[k]:start[k + 1]] */
    int32_t *numbers;      /* the paths' pairs by number (`pair_number`) */
} Readings;

static void Readings_dealloc(Readings *self) {
    Py_XDECREF(self->paths);
    PyMem_Free(self->prior);
    PyMem_Free(self->penalty);
    PyMem_Free(self->unknown);
    PyMem_Free(self->start);
    PyMem_Free(self->numbers);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The numbers of the readings' paths' pairs. */
static int number_pairs(Readings *self, Py_ssize_t n) {
    Py_ssize_t total = 0;
    for (Py_ssize_t k = 0; k < n; k++)
        total += PyTuple_GET_SIZE(PyTuple_GET_ITEM(self->paths, k));
    self->start = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    self->numbers = PyMem_Malloc(sizeof(int32_t) * (total + 1));
    if (!self->start || !self->numbers) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *path = PyTuple_GET_ITEM(self->paths, k);
        self->start[k] = at;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(path); i++)
            if ((self->numbers[at++] = pair_number(PyTuple_GET_ITEM(path, i))) < 0)
                return -1;
    }
    self->start[n] = at;
    return 0;
}

static int Readings_init(Readings *self, PyObject *args, PyObject *kwds) {
    PyObject *hyps, *names[4];
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &hyps))
        return -1;
    if (self->paths) {
        PyErr_SetString(PyExc_TypeError, "Readings are made once");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(hyps);
    int failed = reading_names(names) < 0;
    PyMem_Free(self->prior);
    PyMem_Free(self->penalty);
    PyMem_Free(self->unknown);
    PyMem_Free(self->start);
    PyMem_Free(self->numbers);
    self->start = NULL;
    self->numbers = NULL;
    self->prior = PyMem_Malloc(sizeof(double) * (n + 1));
    self->penalty = PyMem_Malloc(sizeof(double) * (n + 1));
    self->unknown = PyMem_Malloc(sizeof(int) * (n + 1));
    self->paths = PyTuple_New(n);
    failed |= !self->prior || !self->penalty || !self->unknown || !self->paths;
    if (failed && !PyErr_Occurred())
        PyErr_NoMemory();
    for (Py_ssize_t k = 0; !failed && k < n; k++) {
        PyObject *path;
        failed = read_reading(PyList_GET_ITEM(hyps, k), names, &self->prior[k],
                              &self->penalty[k], &self->unknown[k], &path) < 0;
        if (!failed)
            PyTuple_SET_ITEM(self->paths, k, path);
    }
    for (int i = 0; i < 4; i++)
        Py_XDECREF(names[i]);
    failed = failed || number_pairs(self, n) < 0;
    self->count = failed ? 0 : n;
    if (failed)
        Py_CLEAR(self->paths);
    return failed ? -1 : 0;
}

static Py_ssize_t Readings_len(Readings *self) { return self->count; }

static PySequenceMethods Readings_sequence = {.sq_length = (lenfunc)Readings_len};

static PyTypeObject ReadingsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pipeline.restore._search.Readings",
    .tp_basicsize = sizeof(Readings),
    .tp_dealloc = (destructor)Readings_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A word's readings' fields that scores reads, read once.",
    .tp_as_sequence = &Readings_sequence,
    .tp_init = (initproc)Readings_init,
    .tp_new = PyType_GenericNew,
};

/* Logps: a document's logps (decide.DocumentChannel's mapping, which works out what it
 * lacks) as an array by pair number, each read from the mapping the first time it is
 * asked for: the same floats, found without hashing a tuple. */
typedef struct {
    PyObject_HEAD
    PyObject *mapping;
    double *values;        /* NAN: not read yet */
    Py_ssize_t cap;
} Logps;

static void Logps_dealloc(Logps *self) {
    Py_XDECREF(self->mapping);
    PyMem_Free(self->values);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Logps_init(Logps *self, PyObject *args, PyObject *kwds) {
    PyObject *mapping;
    if (!PyArg_ParseTuple(args, "O", &mapping))
        return -1;
    Py_INCREF(mapping);
    Py_XSETREF(self->mapping, mapping);
    PyMem_Free(self->values);
    self->values = NULL;
    self->cap = 0;
    return 0;
}

/* The logp of the pair of this number; -1 with an exception set on an error. */
static int logp_of(Logps *L, int32_t number, double *out) {
    if (number >= L->cap) {
        Py_ssize_t cap = PyList_GET_SIZE(pairs) + 256;
        double *more = PyMem_Realloc(L->values, sizeof(double) * cap);
        if (!more) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = L->cap; i < cap; i++)
            more[i] = NAN;
        L->values = more;
        L->cap = cap;
    }
    double v = L->values[number];
    if (isnan(v)) {
        PyObject *found = PyObject_GetItem(L->mapping, PyList_GET_ITEM(pairs, number));
        v = found ? PyFloat_AsDouble(found) : -1;
        Py_XDECREF(found);
        if (!found || PyErr_Occurred())
            return -1;
        L->values[number] = v;
    }
    *out = v;
    return 0;
}

static PyTypeObject LogpsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pipeline.restore._search.Logps",
    .tp_basicsize = sizeof(Logps),
    .tp_dealloc = (destructor)Logps_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A document's logps by pair number, read from its mapping once each.",
    .tp_init = (initproc)Logps_init,
    .tp_new = PyType_GenericNew,
};

/* score_of for reading k of Readings, its logps read from a Logps. */
static PyObject *score_by_number(const Readings *r, Py_ssize_t k, Logps *L, double keep_adjust,
                                 double **terms, Py_ssize_t *cap) {
    Py_ssize_t m = r->start[k + 1] - r->start[k];
    if (m > *cap) {
        double *more = PyMem_Realloc(*terms, sizeof(double) * m);
        if (!more)
            return PyErr_NoMemory();
        *terms = more;
        *cap = m;
    }
    const int32_t *numbers = r->numbers + r->start[k];
    for (Py_ssize_t i = 0; i < m; i++)
        if (logp_of(L, numbers[i], &(*terms)[i]) < 0)
            return NULL;
    double base = r->unknown[k] ? r->prior[k] + keep_adjust : r->prior[k];
    return PyFloat_FromDouble(base - r->penalty[k] + python_sum(*terms, m));
}

/* decide.DocumentChannel.score for each of a word's readings (a list of them, or their
 * Readings): its prior (with the document's adjustment where it is the token no list has)
 * less its penalty, plus the log probabilities of its path's segments, read from `logps`
 * (a mapping that works out what it lacks), summed as Python's sum() does. */
static PyObject *scores(PyObject *module, PyObject *args) {
    PyObject *hyps, *logps, *names[4] = {NULL, NULL, NULL, NULL};
    double keep_adjust;
    if (!PyArg_ParseTuple(args, "OOd", &hyps, &logps, &keep_adjust))
        return NULL;
    Readings *made = PyObject_TypeCheck(hyps, &ReadingsType) ? (Readings *)hyps : NULL;
    if (!made && !PyList_Check(hyps)) {
        PyErr_SetString(PyExc_TypeError, "scores of a list of readings or their Readings");
        return NULL;
    }
    Py_ssize_t n = made ? made->count : PyList_GET_SIZE(hyps), cap = 0;
    double *terms = NULL;
    PyObject *out = PyList_New(n);
    if (!out || (!made && reading_names(names) < 0))
        goto fail;
    for (Py_ssize_t k = 0; k < n; k++) {
        double p, q;
        int unknown;
        PyObject *path;
        if (made) {
            p = made->prior[k], q = made->penalty[k], unknown = made->unknown[k];
            path = PyTuple_GET_ITEM(made->paths, k);
            Py_INCREF(path);
        } else if (read_reading(PyList_GET_ITEM(hyps, k), names, &p, &q, &unknown, &path) < 0) {
            goto fail;
        }
        PyObject *score = made && PyObject_TypeCheck(logps, &LogpsType)
            ? score_by_number(made, k, (Logps *)logps, keep_adjust, &terms, &cap)
            : score_of(p, q, unknown, path, logps, keep_adjust, &terms, &cap);
        Py_DECREF(path);
        if (!score)
            goto fail;
        PyList_SET_ITEM(out, k, score);
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    for (int i = 0; i < 4; i++)
        Py_XDECREF(names[i]);
    PyMem_Free(terms);
    return out;
}

/* decide.posteriors of a list of floats: 10 ** (score - the best score) for each,
 * divided by their Python sum; None for anything else (Python works that out). */
static PyObject *posteriors(PyObject *module, PyObject *list) {
    if (!PyList_Check(list) || PyList_GET_SIZE(list) == 0)
        Py_RETURN_NONE;
    Py_ssize_t n = PyList_GET_SIZE(list);
    for (Py_ssize_t k = 0; k < n; k++)
        if (!PyFloat_CheckExact(PyList_GET_ITEM(list, k)))
            Py_RETURN_NONE;
    double few[16], *w = n <= 16 ? few : PyMem_Malloc(sizeof(double) * n);
    if (!w)
        return PyErr_NoMemory();
    double top = PyFloat_AS_DOUBLE(PyList_GET_ITEM(list, 0));
    for (Py_ssize_t k = 1; k < n; k++) {  /* max(): the first of equals */
        double x = PyFloat_AS_DOUBLE(PyList_GET_ITEM(list, k));
        if (x > top)
            top = x;
    }
    for (Py_ssize_t k = 0; k < n; k++)
        w[k] = pow(10.0, PyFloat_AS_DOUBLE(PyList_GET_ITEM(list, k)) - top);
    double total = python_sum(w, n);
    PyObject *out = PyList_New(n);
    for (Py_ssize_t k = 0; out && k < n; k++) {
        PyObject *v = PyFloat_FromDouble(w[k] / total);
        if (!v)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, k, v);
    }
    if (w != few)
        PyMem_Free(w);
    return out;
}

/* ------------------------------------------- a document's words judged in one piece */

/* The first of the largest of decide.posteriors(x), as `post.index(max(post))` finds it
 * in choose.Decisions._choose, and that posterior; `w` has room for n doubles. A lone
 * reading's posterior is 1.0 whatever its score (10 ** 0 / 10 ** 0). */
static Py_ssize_t best_posterior(const double *x, Py_ssize_t n, double *w, double *most) {
    double top = x[0];
    for (Py_ssize_t k = 1; k < n; k++)
        if (x[k] > top)
            top = x[k];
    for (Py_ssize_t k = 0; k < n; k++)
        w[k] = pow(10.0, x[k] - top);
    double total = python_sum(w, n);
    Py_ssize_t best = 0;
    *most = w[0] / total;
    for (Py_ssize_t k = 1; k < n; k++) {
        double post = w[k] / total;
        if (post > *most) {
            *most = post;
            best = k;
        }
    }
    return best;
}

enum { KEPT = 1, LISTED_NAME = 2, GIVEN_NAME = 4 };  /* a reading's traits (first_look) */
enum { ATTESTS = 1, PLAIN = 2, NAME = 4, MOVABLE = 8 };  /* what is asked of a word */

typedef struct {  /* the weights of choose's judgement, as Python has them */
    double attested, consistent, given, name_zipf, name_gap, unlisted_title, common_as_name;
} Weights;

/* choose._name_bonus of a reading. */
static double name_bonus(const Weights *c, double prior, int unknown, int traits,
                         int name_here, int person) {
    if (!name_here)
        return 0.0;
    if (unknown) {
        double damage = prior - c->unlisted_title;
        if (0.0 < damage)  /* min(damage, 0.0): the first of equals */
            damage = 0.0;
        return c->name_zipf - c->name_gap + damage - prior;
    }
    if (traits & LISTED_NAME)
        return c->name_zipf - prior;
    if (person)
        return -c->common_as_name;
    return 0.0;
}

/* choose.Decisions._choose with no neighbour's bonus, in each of the circumstances asked
 * for: none, or (PLAIN) none only, or (NAME) none, a name, a person's name and a given
 * name. The scores are summed in _choose's order: plain score, bonus (0.0), name bonus,
 * GIVEN, CONSISTENT. Each choice's reading (`best`) and its posterior (`most`); returns
 * whether the word as printed is the choice in every circumstance. */
static int choose_in(const Weights *c, const Readings *r, const double *plain,
                     const char *traits, const char *consistent, int mode, double *x,
                     double *w, Py_ssize_t best[4], double most[4]) {
    static const int circumstances[4][3] = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {1, 1, 1}};
    Py_ssize_t n = r->count;
    int named = 0, kept = 1;
    for (Py_ssize_t k = 0; k < n; k++)
        named |= !(traits[k] & KEPT) && (traits[k] & LISTED_NAME);
    for (int i = 0; i < ((mode & NAME) ? 4 : 1); i++) {
        int name_here = circumstances[i][0], person = circumstances[i][1];
        int given = circumstances[i][2];
        for (Py_ssize_t k = 0; k < n; k++) {
            double s = plain[k] + 0.0;
            s = s + name_bonus(c, r->prior[k], r->unknown[k], traits[k], name_here,
                               person && (named || !(traits[k] & KEPT)));
            s = s + (given && (traits[k] & GIVEN_NAME) ? c->given : 0.0);
            s = s + (consistent[k] ? c->consistent : 0.0);
            x[k] = s;
        }
        best[i] = best_posterior(x, n, w, &most[i]);
        kept &= (traits[best[i]] & KEPT) != 0;
    }
    return kept;
}

/* The choices of `choose_in` as _choose gives them: per circumstance, None where the word
 * as printed is chosen, else (reading, posterior, whether it is not the reading with the
 * best plain score: the first of equals, as plain.index(max(plain)) finds it). */
static PyObject *choices(const Readings *r, const double *plain, const char *traits,
                         PyObject *texts, int mode, const Py_ssize_t best[4],
                         const double most[4]) {
    Py_ssize_t top = 0;
    for (Py_ssize_t k = 1; k < r->count; k++)
        if (plain[k] > plain[top])
            top = k;
    int count = (mode & NAME) ? 4 : 1;
    PyObject *out = PyTuple_New(count);
    for (int i = 0; out && i < count; i++) {
        PyObject *choice = (traits[best[i]] & KEPT) ? Py_NewRef(Py_None)
            : Py_BuildValue("(OdO)", PyTuple_GET_ITEM(texts, best[i]), most[i],
                            best[i] != top ? Py_True : Py_False);
        if (!choice)
            Py_CLEAR(out);
        else
            PyTuple_SET_ITEM(out, i, choice);
    }
    return out;
}

typedef struct {  /* one word of `settle`, read from its tuple */
    Readings *readings;
    const char *traits;
    PyObject *texts;
    int mode;
} Word;

static int read_word(PyObject *item, Word *word) {
    PyObject *r, *traits;
    if (!PyTuple_Check(item) ||
        !PyArg_ParseTuple(item, "O!O!O!i", &ReadingsType, &r, &PyBytes_Type, &traits,
                          &PyTuple_Type, &word->texts, &word->mode)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "a word is (Readings, traits, texts, mode)");
        return -1;
    }
    word->readings = (Readings *)r;
    word->traits = PyBytes_AS_STRING(traits);
    if (word->readings->count == 0 || PyBytes_GET_SIZE(traits) != word->readings->count ||
        PyTuple_GET_SIZE(word->texts) != word->readings->count) {
        PyErr_SetString(PyExc_ValueError, "a word's readings, traits and texts differ");
        return -1;
    }
    return 0;
}

/* choose.Decisions._attested's `seen[text] = seg if seen.get(text, seg) == seg else ""`:
 * the name with the word that attests it, "" where more than one does. */
static int attest(PyObject *attested, PyObject *text, PyObject *seg) {
    PyObject *known = PyDict_GetItemWithError(attested, text);
    if (!known)
        return PyErr_Occurred() ? -1 : PyDict_SetItem(attested, text, seg);
    int same = PyObject_RichCompareBool(known, seg, Py_EQ);
    if (same != 0)
        return same < 0 ? -1 : 0;
    PyObject *many = PyUnicode_FromString("");
    int failed = !many || PyDict_SetItem(attested, text, many) < 0;
    Py_XDECREF(many);
    return failed ? -1 : 0;
}

/* _choose's `attested.get(text, seg) != seg`: the reading is a name another word of the
 * document attests (a word is no evidence for its own reading); -1 on an error. */
static int attested_by_another(PyObject *attested, PyObject *text, PyObject *seg) {
    PyObject *known = PyDict_GetItemWithError(attested, text);
    if (!known)
        return PyErr_Occurred() ? -1 : 0;
    return PyObject_RichCompareBool(known, seg, Py_NE);
}

static int grow(double **x, Py_ssize_t *cap, Py_ssize_t need) {
    if (need <= *cap)
        return 0;
    double *more = PyMem_Realloc(*x, sizeof(double) * need);
    if (!more) {
        PyErr_NoMemory();
        return -1;
    }
    *x = more;
    *cap = need;
    return 0;
}

/* choose.Decisions' first look at a document's words, in one piece (`first_look.look`): each
 * word's plain scores (decide.DocumentChannel.scores), the names the document attests
 * (choose.Decisions._attested, over the words asked so: ATTESTS), added to the dict given
 * (name -> the word that attests it, "" where more than one does), which holds those of
 * the words not given (a lone reading, as printed), and then, for
 * the words asked so (PLAIN, NAME), the choices with no neighbour's bonus: whether the
 * word stays as printed wherever it stands (one its neighbours cannot move: not MOVABLE),
 * else its `choices`. (scores, a byte per word, {word's place: its choices}). */
static PyObject *settle(PyObject *module, PyObject *args) {
    PyObject *segs, *words, *logps, *attested;
    double keep_adjust;
    Weights c;
    if (!PyArg_ParseTuple(args, "O!O!O!d(ddddddd)O!", &PyList_Type, &segs, &PyList_Type,
                          &words, &LogpsType, &logps, &keep_adjust, &c.attested,
                          &c.consistent, &c.given, &c.name_zipf, &c.name_gap,
                          &c.unlisted_title, &c.common_as_name, &PyDict_Type, &attested))
        return NULL;
    if (PyList_GET_SIZE(segs) != PyList_GET_SIZE(words)) {
        PyErr_SetString(PyExc_ValueError, "a word to each of its readings");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(words), cap = 0, pcap = 0, xcap = 0, wcap = 0, ccap = 0;
    double *terms = NULL, *x = NULL, *w = NULL, *plain = NULL;
    char *consistent = NULL;
    PyObject *scores = PyList_New(n), *chosen = PyDict_New(), *result = NULL;
    PyObject *kept = PyBytes_FromStringAndSize(NULL, n);
    if (!scores || !chosen || !kept)
        goto done;
    char *settled = PyBytes_AS_STRING(kept);
    memset(settled, 0, n);
    for (Py_ssize_t i = 0; i < n; i++) {  /* the scores, and the names attested */
        Word word;
        if (read_word(PyList_GET_ITEM(words, i), &word) < 0)
            goto done;
        Readings *r = word.readings;
        PyObject *list = PyList_New(r->count);
        if (!list)
            goto done;
        PyList_SET_ITEM(scores, i, list);
        if (grow(&x, &xcap, r->count) < 0 || grow(&w, &wcap, r->count) < 0)
            goto done;
        for (Py_ssize_t k = 0; k < r->count; k++) {
            PyObject *score = score_by_number(r, k, (Logps *)logps, keep_adjust, &terms,
                                              &cap);
            if (!score)
                goto done;
            PyList_SET_ITEM(list, k, score);
            x[k] = PyFloat_AS_DOUBLE(score);
        }
        if (!(word.mode & ATTESTS))
            continue;
        double most;
        Py_ssize_t best = best_posterior(x, r->count, w, &most);
        if ((word.traits[best] & KEPT) ? !r->unknown[best] : most >= c.attested)
            if (attest(attested, PyTuple_GET_ITEM(word.texts, best),
                       PyList_GET_ITEM(segs, i)) < 0)
                goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {  /* the words that stay as printed */
        Word word;
        if (read_word(PyList_GET_ITEM(words, i), &word) < 0)
            goto done;
        if (!(word.mode & (PLAIN | NAME)))
            continue;
        Readings *r = word.readings;
        PyObject *list = PyList_GET_ITEM(scores, i);
        if (grow(&plain, &pcap, r->count) < 0 || grow(&x, &xcap, r->count) < 0 ||
            grow(&w, &wcap, r->count) < 0)
            goto done;
        if (r->count > ccap) {
            char *more = PyMem_Realloc(consistent, r->count);
            if (!more) {
                PyErr_NoMemory();
                goto done;
            }
            consistent = more;
            ccap = r->count;
        }
        for (Py_ssize_t k = 0; k < r->count; k++) {
            plain[k] = PyFloat_AS_DOUBLE(PyList_GET_ITEM(list, k));
            int in = word.traits[k] & KEPT ? 0
                : attested_by_another(attested, PyTuple_GET_ITEM(word.texts, k),
                                      PyList_GET_ITEM(segs, i));
            if (in < 0)
                goto done;
            consistent[k] = (char)in;
        }
        Py_ssize_t best[4];
        double most[4];
        if (choose_in(&c, r, plain, word.traits, consistent, word.mode, x, w, best, most)
                && !(word.mode & MOVABLE)) {
            settled[i] = 1;
            continue;
        }
        PyObject *made = choices(r, plain, word.traits, word.texts, word.mode, best, most);
        if (!made)
            goto done;
        PyObject *number = PyLong_FromSsize_t(i);
        int failed = !number || PyDict_SetItem(chosen, number, made) < 0;
        Py_XDECREF(number);
        Py_DECREF(made);
        if (failed)
            goto done;
    }
    result = Py_BuildValue("(OOO)", scores, kept, chosen);
done:
    Py_XDECREF(scores);
    Py_XDECREF(kept);
    Py_XDECREF(chosen);
    PyMem_Free(terms);
    PyMem_Free(x);
    PyMem_Free(w);
    PyMem_Free(plain);
    PyMem_Free(consistent);
    return result;
}

static PyMethodDef methods[] = {
    {"posteriors", posteriors, METH_O,
     "decide.posteriors of a list of floats (None for anything else)."},
    {"best_readings", best_readings, METH_VARARGS,
     "Each word's most probable reading under the mixture, and its posterior."},
    {"terms", terms_of, METH_O,
     "A word's readings' terms for fit_mixture and best_readings, made once: bytes."},
    {"fit_mixture", fit_mixture, METH_VARARGS,
     "decide.fit_mixture's rounds over the readings' terms: the share of English-like OCR."},
    {"scores", scores, METH_VARARGS,
     "decide.DocumentChannel.score of each reading in a list, from a mapping of logps."},
    {"settle", settle, METH_VARARGS,
     "A document's words' plain scores, the names it attests, the words kept wherever."},
    {"search", (PyCFunction)(void (*)(void))search, METH_VARARGS | METH_KEYWORDS,
     "The candidate search of candidates._search: (text, cost, parts, path) per candidate."},
    {NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_search", "The candidate search, compiled.", -1, methods,
};

PyMODINIT_FUNC PyInit__search(void) {
    if (PyType_Ready(&KeysType) < 0 || PyType_Ready(&OptionsType) < 0 ||
        PyType_Ready(&ReadingsType) < 0 || PyType_Ready(&LogpsType) < 0)
        return NULL;
    pair_numbers = PyDict_New();
    pairs = PyList_New(0);
    if (!pair_numbers || !pairs)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    Py_INCREF(&LogpsType);
    if (PyModule_AddObject(m, "Logps", (PyObject *)&LogpsType) < 0) {
        Py_DECREF(&LogpsType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&KeysType);
    if (PyModule_AddObject(m, "Keys", (PyObject *)&KeysType) < 0) {
        Py_DECREF(&KeysType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&ReadingsType);
    if (PyModule_AddObject(m, "Readings", (PyObject *)&ReadingsType) < 0) {
        Py_DECREF(&ReadingsType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&OptionsType);
    if (PyModule_AddObject(m, "Options", (PyObject *)&OptionsType) < 0) {
        Py_DECREF(&OptionsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
