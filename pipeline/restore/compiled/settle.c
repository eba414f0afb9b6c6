/* A document's first look at its words in one piece (first_look.py, decide.
 * DocumentChannel.settle): their plain scores, the names the document attests, and the
 * words kept as printed wherever they stand.
 * Part of the module pipeline/restore/_search.c, which includes it. */

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

enum { KEPT = 1, LISTED_NAME = 2, GIVEN_NAME = 4, UNLISTED_WHOLE = 8 };  /* a reading's traits
                                                                     (first_look) */
enum { ATTESTS = 1, PLAIN = 2, NAME = 4, MOVABLE = 8 };  /* what is asked of a word */

typedef struct {  /* the weights of choose's judgement, as Python has them */
    double attested, consistent, given, name_zipf, name_gap, unlisted_title, common_as_name;
} Weights;

/* choose._name_bonus of a reading. */
static double name_bonus(const Weights *c, double prior, int unknown, int traits,
                         int name_here, int person) {
    if (!name_here)
        return 0.0;
    if (unknown || (person && (traits & UNLISTED_WHOLE))) {
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
