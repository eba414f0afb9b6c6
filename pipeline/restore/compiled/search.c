/* The candidate search of candidates._search: a beam over the OCR positions, each state
 * a node of the trie in `keys.c` (see the module file for the reference it follows).
 * Part of the module pipeline/restore/_search.c, which includes it. */

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
 * order they were first made (a Python dict), with a hash index. The buckets are kept for
 * the process's next searches (`BUCKETS`): a slot holds the search's round (`gen`) above
 * the item number + 1, so that a new round finds every slot empty without clearing it. */
typedef struct {
    const State **items;
    Py_ssize_t count, cap;
    uint64_t *index;       /* slots: gen << 32 | item number + 1; another gen = empty */
    Py_ssize_t slots;
    uint64_t gen;          /* the current round: from 1 */
} Bucket;

/* The item number + 1 a slot holds in the bucket's current round, 0 for none. */
static inline Py_ssize_t slot_item(const Bucket *b, uint64_t entry) {
    return (entry >> 32) == b->gen ? (Py_ssize_t)(entry & 0xffffffffu) : 0;
}

static inline uint64_t slot_entry(const Bucket *b, Py_ssize_t item) {
    return (b->gen << 32) | (uint64_t)item;
}

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
    uint64_t *index = PyMem_Calloc(slots, sizeof(uint64_t));  /* round 0: all empty */
    if (!index)
        return -1;
    PyMem_Free(b->index);
    b->index = index;
    b->slots = slots;
    for (Py_ssize_t i = 0; i < b->count; i++) {
        uint64_t h = state_hash(b->items[i]) & (uint64_t)(slots - 1);
        while (slot_item(b, index[h])) h = (h + 1) & (uint64_t)(slots - 1);
        index[h] = slot_entry(b, i + 1);
    }
    return 0;
}

/* The bucket emptied for a new search: a new round (after 2**32 - 1 of them, its slots
 * cleared and round 1 again). */
static void bucket_reset(Bucket *b) {
    b->count = 0;
    if (++b->gen > 0xffffffffu) {
        if (b->index)
            memset(b->index, 0, sizeof(uint64_t) * (size_t)b->slots);
        b->gen = 1;
    }
}

/* The buckets of the process's searches, kept from one to the next (a search holds the
 * interpreter's lock throughout, so one at a time): their arrays are made once, not for
 * every search. */
static Bucket *BUCKETS = NULL;
static Py_ssize_t BUCKETS_MADE = 0;

static Bucket *buckets_for(Py_ssize_t n) {
    if (n > BUCKETS_MADE) {
        Bucket *more = PyMem_Realloc(BUCKETS, sizeof(Bucket) * (size_t)n);
        if (!more)
            return NULL;
        memset(more + BUCKETS_MADE, 0, sizeof(Bucket) * (size_t)(n - BUCKETS_MADE));
        BUCKETS = more;
        BUCKETS_MADE = n;
    }
    for (Py_ssize_t p = 0; p < n; p++)
        bucket_reset(&BUCKETS[p]);
    return BUCKETS;
}

/* The slot of the state's key: its item number + 1 there, or 0 where it would go. */
static uint64_t *bucket_slot(Bucket *b, const State *s) {
    uint64_t mask = (uint64_t)(b->slots - 1);  /* slots: a power of two */
    uint64_t h = state_hash(s) & mask;
    Py_ssize_t at;
    while ((at = slot_item(b, b->index[h])) && !same_key(b->items[at - 1], s))
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
    uint64_t *slot = bucket_slot(b, next);
    Py_ssize_t at = slot_item(b, *slot);
    const State *old = at ? b->items[at - 1] : NULL;
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
        b->items[at - 1] = kept = merged;
    } else {
        b->items[b->count++] = next;
        *slot = slot_entry(b, b->count);
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
/* The names of the cases an option holds ("lower", "upper", "title"), made once for the
 * process; NULL (an exception set) where they could not be made. */
static PyObject **case_names(void) {
    static PyObject *names[3];
    if (!names[0]) {
        PyObject *made[3] = {PyUnicode_InternFromString("lower"),
                             PyUnicode_InternFromString("upper"),
                             PyUnicode_InternFromString("title")};
        if (!made[0] || !made[1] || !made[2]) {
            for (int i = 0; i < 3; i++) Py_XDECREF(made[i]);
            return NULL;
        }
        for (int i = 0; i < 3; i++) names[i] = made[i];
    }
    return names;
}

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
    PyObject **names = case_names();
    int failed = !options || !names;
    if (failed && !PyErr_Occurred())
        PyErr_NoMemory();
    for (Py_ssize_t i = 0; !failed && i < n; i++)
        failed = read_option(PyTuple_GET_ITEM(items, i), &options[i], names) < 0;
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
    PyObject **names = case_names();
    if (!names)
        return NULL;
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
    S.buckets = buckets_for(positions + 1);
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
    Bucket *b0 = &S.buckets[0];
    if (!start || (b0->cap == 0 && bucket_grow(b0) < 0)) { PyErr_NoMemory(); goto done; }
    b0->items[b0->count++] = start;
    *bucket_slot(b0, start) = slot_entry(b0, 1);
    if (run(&S, options, counts, filters, deletions, ndel, deletions_filter, beam) < 0) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    out = result(&S);
done:
    /* (the buckets are kept for the next search: `buckets_for`) */
    PyMem_Free(S.found);
    PyMem_Free(S.found_parts);
    PyMem_Free(S.queue);
    PyMem_Free(options);
    PyMem_Free(counts);
    PyMem_Free(filters);
    arena_free(&S.arena);
    return out;
}
