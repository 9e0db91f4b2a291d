# C declarations of the basket kernel: the columns of its arrays (basket.pyi describes them),
# the codes of kinds and statuses, and the structures it works on.

cdef extern from *:
    ctypedef long long int128 "__int128"

cdef enum:
    PERCENT_OFF, AMOUNT_OFF, FIXED_PRICE, BUY_X_GET_Y, BUNDLE, MULTI_BUY, THRESHOLD, KIND_COUNT

cdef enum:
    APPLIED, BLOCKED, BELOW_THRESHOLD, NOT_ENOUGH_UNITS, NO_REWARD_ITEMS, EXCLUDED, NOTHING_OFF,
    NOT_COUNTABLE

cdef enum:
    KIND, EXCLUSIVE, REPEAT, PERCENT_BP, AMOUNT, BUY, GET, TARGETS, TARGETS_END, GET_TARGETS,
    GET_TARGETS_END, COMPONENTS, COMPONENTS_END, STEPS, STEPS_END, PROMOTION_WIDTH

cdef enum:
    PRODUCT, CATEGORY, QUANTITY, UNIT_PRICE, LINE_AMOUNT, COUNTABLE, REDUCED, LINE_WIDTH

cdef enum:
    RESULT_WIDTH = 6

ctypedef struct Keyed:  # one of a line's keys (its product's or its category's)
    long long key
    long long line

ctypedef struct Run:  # whole units of one line
    long long line
    long long price
    long long count

ctypedef struct Rest:  # what a proportional share left over
    long long rest
    long long line

ctypedef struct Units:  # a stream of whole units over runs, taken from one end
    Run* runs
    long long size
    long long index
    long long step
    long long left

ctypedef struct Promotions:
    const long long* rows
    const long long* targets
    const long long* get_targets
    const long long* components
    const long long* steps
    const long long* blocked
    long long count

ctypedef struct Basket:
    long long size
    const long long* lines
    long long* amount  # left to pay
    long long* touched
    long long* locked_by
    long long* first_by
    long long* free_units
    long long* discounts  # per line, all promotions
    long long* offer  # per line, this promotion
    long long* weight
    long long* used
    long long* given
    long long* mark
    long long* mark_get
    long long* relevant
    long long* eligible
    long long* picked  # 2 * size
    long long n_relevant
    long long n_eligible
    Keyed* keys
    long long n_keys
    Run* runs
    Rest* rests
    Units* parts
    long long* results
    long long n_results
    long long* allocations
    long long n_allocations
    long long n_reported  # allocations already counted in a result
    long long capacity
