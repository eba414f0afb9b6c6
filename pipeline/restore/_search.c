/* The candidate search of pipeline/restore/candidates.py, compiled.
 *
 * `candidates._search` (Python) is the reference: this module does exactly what it does,
 * step for step and in the same order (the beam's ties, the queue, the merges), with the
 * same floating-point operations, so that it finds the same candidates with the same costs
 * and paths; tests/test_search.py compares the two on every correctable word of the
 * development corpora.
 *
 * The parts, each included here (one translation unit, so the compiler sees it whole):
 * compiled/keys.c (the lexicon's keys and their trie), compiled/search.c (the search),
 * compiled/scores.c (the mixture fit and a reading's score), compiled/settle.c (a
 * document's first look at its words, first_look.py).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "compiled/keys.c"
#include "compiled/search.c"
#include "compiled/scores.c"
#include "compiled/settle.c"

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
    {"tally", tally, METH_VARARGS,
     "decide.DocumentChannel's counts of the pairs of the words' chosen readings' paths."},
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
