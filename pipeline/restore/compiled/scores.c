/* The mixture fit (decide.fit_mixture, decide.best_readings) and the scores of a word's
 * readings under a document's channel (decide.DocumentChannel.scores).
 * Part of the module pipeline/restore/_search.c, which includes it. */

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
 * penalty, cost under each model, and the reading's weight under each model alone over
 * the largest of the word's: 10 ** (prior less penalty less cost - that largest), as
 * decide.word_weights makes them); returns 1 if one of its readings tells the models
 * apart (decide.fit_mixture's "informative"), else 0. */
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

/* The weights of a word's n readings (terms 3 and 4, from terms 0-2), as
 * decide.word_weights makes them. */
static void weigh(double *x, Py_ssize_t n) {
    double top = 0.0;
    for (Py_ssize_t k = 0; k < n; k++) {
        double e = x[5 * k] - x[5 * k + 1], s = x[5 * k] - x[5 * k + 2];
        double larger = e > s ? e : s;
        if (k == 0 || larger > top)
            top = larger;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        x[5 * k + 3] = pow(10.0, (x[5 * k] - x[5 * k + 1]) - top);
        x[5 * k + 4] = pow(10.0, (x[5 * k] - x[5 * k + 2]) - top);
    }
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
        *used += 5;
        informative |= fabs(c0 - c1) > 1.0;
    }
    Py_DECREF(seq);
    weigh(*terms + start, (*used - start) / 5);
    return informative;
}

/* The weights of a word's readings under the mixture (decide.mixture_posteriors before
 * its normalisation), each channel's share (no less than 1e-9) times the reading's
 * weight under it; returns their Python sum. */
static double mixture_weights(const double *x, int32_t size, double english, double rest,
                              double *weights) {
    for (int32_t k = 0; k < size; k++)
        weights[k] = english * x[5 * k + 3] + rest * x[5 * k + 4];
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

/* decide.fit_in_python, operation for operation (Python's float ** is the C library's
 * pow here): `groups` is a list of (readings, occurrences). */
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
    /* the word's two sums: its readings' weights under either model alone */
    weights = PyMem_Malloc(sizeof(double) * (2 * (size_t)kept + 2 * (size_t)widest + 2));
    if (!weights) {
        PyErr_NoMemory();
        goto done;
    }
    double *sums = weights, *powers = weights + 2 * kept;
    const double *x = t;  /* the first reading of the word */
    for (Py_ssize_t g = 0; g < kept; x += 5 * size[g], g++) {
        for (int32_t k = 0; k < size[g]; k++) {
            powers[k] = x[5 * k + 3];
            powers[widest + k] = x[5 * k + 4];
        }
        sums[2 * g] = python_sum(powers, size[g]);
        sums[2 * g + 1] = python_sum(powers + widest, size[g]);
    }
    double english = 0.5;
    for (int r = 0; r < rounds; r++) {
        double total = 0.0, rest = 1 - english;
        for (Py_ssize_t g = 0; g < kept; g++) {
            double a = english * sums[2 * g];
            total += (double)count[g] * (a / (a + rest * sums[2 * g + 1]));
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
    double rest = 1 - english;
    double e = english > 1e-9 ? english : 1e-9, r = rest > 1e-9 ? rest : 1e-9;
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
        double whole = mixture_weights(t, (int32_t)size, e, r, weights);
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

/* decide.DocumentChannel's counts of how the document read what: for each word read
 * surely, the pairs of its chosen reading's path (`Readings`, reading k), each counted n
 * times (n a whole number, so the sums are exact in any order). Returns the counts by
 * pair and the totals by the pair's truth, as two dicts. */
static PyObject *tally(PyObject *module, PyObject *args) {
    PyObject *readings, *chosen, *weights;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &readings, &PyList_Type, &chosen,
                          &PyList_Type, &weights))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(readings);
    if (PyList_GET_SIZE(chosen) != n || PyList_GET_SIZE(weights) != n) {
        PyErr_SetString(PyExc_ValueError, "tally: lists of different lengths");
        return NULL;
    }
    Py_ssize_t size = PyList_GET_SIZE(pairs), used = 0;
    double *sum = PyMem_Calloc(size + 1, sizeof(double));
    int32_t *touched = PyMem_Malloc(sizeof(int32_t) * (size + 1));
    PyObject *counts = PyDict_New(), *totals = PyDict_New(), *out = NULL;
    if (!sum || !touched || !counts || !totals) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *r = PyList_GET_ITEM(readings, i);
        if (!PyObject_TypeCheck(r, &ReadingsType)) {
            PyErr_SetString(PyExc_TypeError, "tally: Readings expected");
            goto done;
        }
        const Readings *made = (const Readings *)r;
        Py_ssize_t k = PyLong_AsSsize_t(PyList_GET_ITEM(chosen, i));
        double w = PyFloat_AsDouble(PyList_GET_ITEM(weights, i));
        if (PyErr_Occurred())
            goto done;
        if (w < 0.0) {
            PyErr_SetString(PyExc_ValueError, "tally: a count below 0");
            goto done;
        }
        if (w == 0.0)
            continue;
        if (k < 0 || k >= made->count) {
            PyErr_SetString(PyExc_IndexError, "tally: no such reading");
            goto done;
        }
        for (Py_ssize_t at = made->start[k]; at < made->start[k + 1]; at++) {
            int32_t number = made->numbers[at];
            if (sum[number] == 0.0)  /* first met: every count added is above 0 */
                touched[used++] = number;
            sum[number] += w;
        }
    }
    for (Py_ssize_t j = 0; j < used; j++) {
        int32_t number = touched[j];
        PyObject *pair = PyList_GET_ITEM(pairs, number);
        PyObject *truth = PyTuple_GET_ITEM(pair, 0);
        PyObject *count = PyFloat_FromDouble(sum[number]);
        PyObject *before = count ? PyDict_GetItemWithError(totals, truth) : NULL;
        PyObject *total = !count || PyErr_Occurred() ? NULL
            : PyFloat_FromDouble((before ? PyFloat_AS_DOUBLE(before) : 0.0) + sum[number]);
        int failed = !total || PyDict_SetItem(counts, pair, count) < 0
                     || PyDict_SetItem(totals, truth, total) < 0;
        Py_XDECREF(count);
        Py_XDECREF(total);
        if (failed)
            goto done;
    }
    out = PyTuple_Pack(2, counts, totals);
done:
    Py_XDECREF(counts);
    Py_XDECREF(totals);
    PyMem_Free(sum);
    PyMem_Free(touched);
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
