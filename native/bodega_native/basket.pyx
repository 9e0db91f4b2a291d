# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Promotion discounts for one basket, compiled.

``_basket_py.py`` is the readable twin with the same function and the same results; the array
layout is in ``basket.pyi`` and the rules in docs/promotions.md. Everything between the entry
checks and the output arrays runs on C arrays without the GIL. Products of money and units go
through 128-bit integers, so no intermediate overflows for amounts up to 10**12.
"""

from cpython cimport array
from libc.stdlib cimport calloc, free, malloc, qsort, realloc

import array

KINDS = (
    "percent_off", "amount_off", "fixed_price", "buy_x_get_y", "bundle", "multi_buy", "threshold",
)
STATUSES = (
    "applied", "blocked", "below_threshold", "not_enough_units", "no_reward_items", "excluded",
    "nothing_off", "not_countable",
)
PROMOTION_COLUMNS = (
    "kind", "exclusive", "repeat", "percent_bp", "amount", "buy", "get",
    "targets_start", "targets_end", "get_targets_start", "get_targets_end",
    "components_start", "components_end", "steps_start", "steps_end",
)
MAX_MONEY = 10**12
MAX_UNITS = 10**9
LINE_COLUMNS = ("product", "category", "quantity", "unit_price", "amount", "countable", "reduced")
RESULT_COLUMNS = ("promotion", "status", "discount", "short", "excluded_by", "allocations")
ALLOCATION_COLUMNS = ("line", "amount")

cdef long long LIMIT_MONEY = MAX_MONEY
cdef long long LIMIT_THOUSANDTHS = MAX_UNITS * 1000
cdef enum:
    NONE = -1
cdef enum:  # RESULT_COLUMNS
    R_PROMOTION, R_STATUS, R_DISCOUNT, R_SHORT, R_EXCLUDED_BY, R_ALLOCATIONS

cdef inline long long half_up(int128 numerator, long long denominator) noexcept nogil:
    return <long long>((2 * numerator + denominator) / (2 * denominator))


cdef int by_key(const void* a, const void* b) noexcept nogil:
    cdef const Keyed* x = <const Keyed*>a
    cdef const Keyed* y = <const Keyed*>b
    if x.key != y.key:
        return -1 if x.key < y.key else 1
    return -1 if x.line < y.line else (1 if x.line > y.line else 0)


cdef int dearest_first(const void* a, const void* b) noexcept nogil:
    cdef const Run* x = <const Run*>a
    cdef const Run* y = <const Run*>b
    if x.price != y.price:
        return -1 if x.price > y.price else 1
    return -1 if x.line < y.line else (1 if x.line > y.line else 0)


cdef int largest_rest_first(const void* a, const void* b) noexcept nogil:
    cdef const Rest* x = <const Rest*>a
    cdef const Rest* y = <const Rest*>b
    if x.rest != y.rest:
        return -1 if x.rest > y.rest else 1
    return -1 if x.line < y.line else (1 if x.line > y.line else 0)


cdef long long mark_lines(
    Basket* b, const long long* keys, long long start, long long end, long long* mark,
    long long stamp,
) noexcept nogil:
    """Stamp the lines with one of keys[start:end] (ascending); return how many keys matched."""
    cdef long long found = 0, low = 0, high, middle, key, t
    for t in range(start, end):
        key = keys[t]
        high = b.n_keys
        while low < high:
            middle = (low + high) >> 1
            if b.keys[middle].key < key:
                low = middle + 1
            else:
                high = middle
        while low < b.n_keys and b.keys[low].key == key:
            mark[b.keys[low].line] = stamp
            found += 1
            low += 1
    return found


cdef long long collect_runs(
    Basket* b, const long long* lines, long long count, Run* runs, bint dearest
) noexcept nogil:
    """The free whole units of lines: in line order, or dearest first (then line order)."""
    cdef long long i, line, size = 0
    for i in range(count):
        line = lines[i]
        if b.free_units[line] > 0:
            runs[size].line = line
            runs[size].price = b.lines[line * LINE_WIDTH + UNIT_PRICE]
            runs[size].count = b.free_units[line]
            size += 1
    if dearest:
        qsort(runs, size, sizeof(Run), dearest_first)
    return size


cdef long long run_units(const Run* runs, long long size) noexcept nogil:
    cdef long long i, units = 0
    for i in range(size):
        units += runs[i].count
    return units


cdef void units_start(Units* u, Run* runs, long long size, bint cheapest_first) noexcept nogil:
    u.runs = runs
    u.size = size
    u.step = -1 if cheapest_first else 1
    u.index = size - 1 if cheapest_first else 0
    u.left = runs[u.index].count if size > 0 else 0


cdef int128 units_value(const Units* u, long long count) noexcept nogil:
    """What the next count units are worth, without taking them."""
    cdef long long index = u.index, left = u.left, part
    cdef int128 value = 0
    while count > 0:
        part = min(count, left)
        value += <int128>part * u.runs[index].price
        count -= part
        left -= part
        if left == 0 and count > 0:
            index += u.step
            left = u.runs[index].count
    return value


cdef void units_take(Units* u, long long count, long long* counts, long long* values) noexcept nogil:
    """Take count units, adding them (and their value) per line to counts (and values)."""
    cdef long long part, line, following
    while count > 0:
        part = min(count, u.left)
        line = u.runs[u.index].line
        if counts != NULL:
            counts[line] += part
        if values != NULL:
            values[line] += part * u.runs[u.index].price
        count -= part
        u.left -= part
        following = u.index + u.step
        if u.left == 0 and 0 <= following < u.size:
            u.index = following
            u.left = u.runs[following].count


cdef void share(Basket* b, long long total) noexcept nogil:
    """Split total over the eligible lines by weight; leftover units to the largest remainders."""
    cdef int128 whole = 0, part
    cdef long long i, line, given = 0, size = 0
    for i in range(b.n_eligible):
        if b.weight[b.eligible[i]] > 0:
            whole += b.weight[b.eligible[i]]
    for i in range(b.n_eligible):
        line = b.eligible[i]
        if b.weight[line] > 0:
            part = <int128>total * b.weight[line]
            b.offer[line] = <long long>(part / whole)
            given += b.offer[line]
            b.rests[size].rest = <long long>(part % whole)
            b.rests[size].line = line
            size += 1
    qsort(b.rests, size, sizeof(Rest), largest_rest_first)
    for i in range(total - given):
        b.offer[b.rests[i].line] += 1


cdef bint any_countable(const Basket* b) noexcept nogil:
    cdef long long i
    for i in range(b.n_eligible):
        if b.lines[b.eligible[i] * LINE_WIDTH + COUNTABLE]:
            return True
    return False


cdef int line_by_line(Basket* b, long long kind, long long percent_bp, long long amount) noexcept nogil:
    cdef long long i, line, quantity
    for i in range(b.n_eligible):
        line = b.eligible[i]
        quantity = b.lines[line * LINE_WIDTH + QUANTITY]
        if kind == PERCENT_OFF:
            b.offer[line] = half_up(<int128>b.amount[line] * percent_bp, 10000)
        elif kind == AMOUNT_OFF:
            b.offer[line] = half_up(<int128>amount * quantity, 1000)
        else:
            b.offer[line] = b.amount[line] - half_up(<int128>amount * quantity, 1000)
    return APPLIED


cdef int multi_buy(Basket* b, long long size, long long price, long long* missing) noexcept nogil:
    cdef Units stream
    cdef long long groups, alike, total = 0
    cdef long long runs = collect_runs(b, b.eligible, b.n_eligible, b.runs, True)
    cdef long long units = run_units(b.runs, runs)
    cdef int128 off
    if not any_countable(b):
        return NOT_COUNTABLE
    if units < size:
        missing[0] = size - units
        return NOT_ENOUGH_UNITS
    units_start(&stream, b.runs, runs, False)
    groups = units // size
    while groups > 0:
        alike = min(groups, stream.left // size)  # whole groups of one line are alike
        if alike == 0:
            alike = 1
        off = units_value(&stream, alike * size) - <int128>alike * price
        if off <= 0:  # the groups left are no dearer
            break
        total += <long long>off
        groups -= alike
        units_take(&stream, alike * size, b.used, b.weight)
    share(b, total)
    return APPLIED


cdef int bundle(
    Basket* b, const long long* parts, long long count, long long price, long long* missing
) noexcept nogil:
    """parts: count pairs (product, units per bundle); bundles are made in line order."""
    cdef long long i, j, line, units, picked, runs = 0, alike, total = 0
    cdef long long bundles = -1
    cdef int128 value
    if not any_countable(b):
        return NOT_COUNTABLE
    for j in range(count):
        picked = 0
        for i in range(b.n_eligible):
            line = b.eligible[i]
            if b.lines[line * LINE_WIDTH + PRODUCT] == parts[2 * j]:
                b.picked[picked] = line
                picked += 1
        picked = collect_runs(b, b.picked, picked, b.runs + runs, False)
        units_start(&b.parts[j], b.runs + runs, picked, False)
        units = run_units(b.runs + runs, picked)
        runs += picked
        missing[0] += max(0, parts[2 * j + 1] - units)
        if bundles < 0 or units // parts[2 * j + 1] < bundles:
            bundles = units // parts[2 * j + 1]
    if bundles == 0:
        return NOT_ENOUGH_UNITS
    missing[0] = 0
    while bundles > 0:
        alike = bundles
        for j in range(count):
            alike = min(alike, b.parts[j].left // parts[2 * j + 1])
        if alike == 0:
            alike = 1
        value = 0
        for j in range(count):
            value += units_value(&b.parts[j], alike * parts[2 * j + 1])
        value -= <int128>alike * price
        bundles -= alike
        if value > 0:
            total += <long long>value
        for j in range(count):
            if value > 0:
                units_take(&b.parts[j], alike * parts[2 * j + 1], b.used, b.weight)
            else:
                units_take(&b.parts[j], alike * parts[2 * j + 1], NULL, NULL)
    share(b, total)
    return APPLIED


cdef int buy_x_get_y(
    Basket* b, bint same_set, long long stamp, long long buy, long long get,
    long long percent_bp, long long* missing,
) noexcept nogil:
    """same_set: the units given come from the same set as the units bought."""
    cdef Units given, paid
    cdef long long i, line, units, deals, buying = 0, getting = 0, buy_runs, get_runs, rewarded
    if not any_countable(b):
        return NOT_COUNTABLE
    if same_set:
        buy_runs = collect_runs(b, b.eligible, b.n_eligible, b.runs, True)
        units = run_units(b.runs, buy_runs)
        deals = units // (buy + get)
        if deals == 0:
            missing[0] = buy + get - units
            return NOT_ENOUGH_UNITS
        units_start(&given, b.runs, buy_runs, True)
        units_take(&given, deals * get, b.given, NULL)
        units_start(&paid, b.runs, buy_runs, False)
        units_take(&paid, deals * buy, b.used, NULL)
    else:
        for i in range(b.n_eligible):
            line = b.eligible[i]
            if b.mark_get[line] == stamp:
                b.picked[b.size + getting] = line
                getting += 1
            else:
                b.picked[buying] = line
                buying += 1
        buy_runs = collect_runs(b, b.picked, buying, b.runs, True)
        get_runs = collect_runs(b, b.picked + b.size, getting, b.runs + buy_runs, True)
        units = run_units(b.runs, buy_runs)
        deals = units // buy
        if deals == 0:
            missing[0] = buy - units
            return NOT_ENOUGH_UNITS
        units = run_units(b.runs + buy_runs, get_runs)
        if units == 0:
            return NO_REWARD_ITEMS
        rewarded = min(deals * get, units)
        units_start(&given, b.runs + buy_runs, get_runs, True)
        units_take(&given, rewarded, b.given, NULL)
        units_start(&paid, b.runs, buy_runs, False)
        units_take(&paid, (rewarded + get - 1) // get * buy, b.used, NULL)
    for i in range(b.n_eligible):
        line = b.eligible[i]
        if b.given[line] > 0:
            b.offer[line] = b.given[line] * half_up(
                <int128>b.lines[line * LINE_WIDTH + UNIT_PRICE] * percent_bp, 10000
            )
            b.used[line] += b.given[line]
    return APPLIED


cdef int threshold(
    Basket* b, const long long* steps, long long count, bint repeat, long long* missing
) noexcept nogil:
    """steps: count pairs (spend, off), spend ascending."""
    cdef long long i, off = 0, spend = 0
    cdef bint reached = False
    for i in range(b.n_eligible):
        spend += b.amount[b.eligible[i]]
        b.weight[b.eligible[i]] = b.amount[b.eligible[i]]
    if repeat:
        reached = spend >= steps[0]
        if reached:
            off = spend // steps[0] * steps[1]
    else:
        for i in range(count):
            if steps[2 * i] <= spend:
                reached = True
                off = steps[2 * i + 1]
    if not reached:
        missing[0] = steps[0] - spend
        return BELOW_THRESHOLD
    share(b, off)
    return APPLIED


cdef long long settle(Basket* b, long long promotion, bint exclusive) noexcept nogil:
    """Take this promotion's offer off the lines; its total, or -1 when out of memory."""
    cdef long long i, line, off, total = 0
    cdef long long* grown
    for i in range(b.n_eligible):
        line = b.eligible[i]
        off = min(b.offer[line], b.amount[line])
        if off <= 0:
            continue
        b.amount[line] -= off
        b.discounts[line] += off
        b.touched[line] = 1
        if b.first_by[line] < 0:
            b.first_by[line] = promotion
        if exclusive:
            b.locked_by[line] = promotion
        if b.n_allocations + 2 > b.capacity:
            grown = <long long*>realloc(b.allocations, 2 * b.capacity * sizeof(long long))
            if grown == NULL:
                return -1
            b.allocations = grown
            b.capacity *= 2
        b.allocations[b.n_allocations] = line
        b.allocations[b.n_allocations + 1] = off
        b.n_allocations += 2
        total += off
    if total > 0:
        for i in range(b.n_eligible):
            b.free_units[b.eligible[i]] -= b.used[b.eligible[i]]
    return total


cdef void report(
    Basket* b, long long promotion, long long status, long long discount, long long missing,
    long long excluded_by,
) noexcept nogil:
    cdef long long* row = b.results + b.n_results * RESULT_WIDTH
    row[0], row[1], row[2], row[3], row[4] = promotion, status, discount, missing, excluded_by
    row[5] = (b.n_allocations - b.n_reported) // 2
    b.n_reported = b.n_allocations
    b.n_results += 1


cdef int offer(Basket* b, const Promotions* promotions, const long long* row, long long stamp,
               long long* missing) noexcept nogil:
    cdef long long kind = row[KIND]
    if kind == BUY_X_GET_Y:
        return buy_x_get_y(b, row[GET_TARGETS] == row[GET_TARGETS_END], stamp, row[BUY], row[GET],
                           row[PERCENT_BP], missing)
    if kind == BUNDLE:
        return bundle(b, promotions.components + row[COMPONENTS],
                      (row[COMPONENTS_END] - row[COMPONENTS]) // 2, row[AMOUNT], missing)
    if kind == MULTI_BUY:
        return multi_buy(b, row[BUY], row[AMOUNT], missing)
    if kind == THRESHOLD:
        return threshold(b, promotions.steps + row[STEPS], (row[STEPS_END] - row[STEPS]) // 2,
                         row[REPEAT], missing)
    return line_by_line(b, kind, row[PERCENT_BP], row[AMOUNT])


cdef int run(Basket* b, const Promotions* promotions) noexcept nogil:
    """Apply every promotion in turn; 0, or -1 when out of memory."""
    cdef long long p, i, line, first, found, stamp, missing, total
    cdef const long long* row
    cdef bint exclusive, separate
    cdef int status
    for i in range(b.size):
        b.keys[b.n_keys].key = b.lines[i * LINE_WIDTH + PRODUCT]
        b.keys[b.n_keys].line = i
        b.n_keys += b.keys[b.n_keys].key >= 0
        b.keys[b.n_keys].key = b.lines[i * LINE_WIDTH + CATEGORY]
        b.keys[b.n_keys].line = i
        b.n_keys += b.keys[b.n_keys].key >= 0
    qsort(b.keys, b.n_keys, sizeof(Keyed), by_key)
    for p in range(promotions.count):
        row = promotions.rows + p * PROMOTION_WIDTH
        stamp = p + 1
        exclusive = row[EXCLUSIVE] != 0
        if row[KIND] != BUNDLE and row[TARGETS] == row[TARGETS_END]:
            for i in range(b.size):
                b.mark[i] = stamp
            found = b.size
        else:
            found = mark_lines(b, promotions.targets, row[TARGETS], row[TARGETS_END], b.mark, stamp)
        separate = row[KIND] == BUY_X_GET_Y and row[GET_TARGETS] < row[GET_TARGETS_END]
        if separate:
            found += mark_lines(b, promotions.get_targets, row[GET_TARGETS], row[GET_TARGETS_END],
                                b.mark_get, stamp)
        if found == 0:
            continue
        b.n_relevant = 0
        b.n_eligible = 0
        for line in range(b.size):
            if b.mark[line] == stamp or (separate and b.mark_get[line] == stamp):
                b.relevant[b.n_relevant] = line
                b.n_relevant += 1
                if b.locked_by[line] < 0 and not (exclusive and b.touched[line]):
                    b.eligible[b.n_eligible] = line
                    b.n_eligible += 1
        if promotions.blocked[p]:
            report(b, p, BLOCKED, 0, 0, -1)
            continue
        if b.n_eligible == 0:
            first = b.relevant[0]
            report(b, p, EXCLUDED, 0, 0,
                   b.locked_by[first] if b.locked_by[first] >= 0 else b.first_by[first])
            continue
        for i in range(b.n_eligible):
            line = b.eligible[i]
            b.offer[line] = b.weight[line] = b.used[line] = b.given[line] = 0
        missing = 0
        status = offer(b, promotions, row, stamp, &missing)
        total = 0
        if status == APPLIED:
            total = settle(b, p, exclusive)
            if total < 0:
                return -1
            if total == 0:
                status = NOTHING_OFF
        report(b, p, status, total, missing, -1)
    return 0


cdef long long check(
    const long long[::1] promotions, const long long[::1] targets,
    const long long[::1] get_targets, const long long[::1] components,
    const long long[::1] steps, const long long[::1] blocked, const long long[::1] lines,
) except -1:
    """Refuse arrays not laid out as basket.pyi says; return the most components of a bundle."""
    cdef long long p, i, j, kind, most = 1
    cdef const long long* row
    cdef bint malformed
    cdef long long sizes[4]
    sizes[:] = [targets.shape[0], get_targets.shape[0], components.shape[0], steps.shape[0]]
    if promotions.shape[0] != blocked.shape[0] * PROMOTION_WIDTH or lines.shape[0] % LINE_WIDTH:
        raise ValueError("the arrays are not laid out as basket.pyi says")
    for i in range(1, components.shape[0], 2):
        if components[i] < 1:
            raise ValueError("the arrays are not laid out as basket.pyi says")
    for i in range(0, steps.shape[0], 2):
        if steps[i] < 1:
            raise ValueError("the arrays are not laid out as basket.pyi says")
    for p in range(blocked.shape[0]):
        row = &promotions[p * PROMOTION_WIDTH]
        kind = row[KIND]
        malformed = (
            not 0 <= kind < KIND_COUNT
            or (kind == BUY_X_GET_Y or kind == MULTI_BUY) and row[BUY] < 1
            or kind == BUY_X_GET_Y and row[GET] < 1
            or kind == THRESHOLD and row[STEPS] == row[STEPS_END]
            or (row[COMPONENTS_END] - row[COMPONENTS]) % 2
            or (row[STEPS_END] - row[STEPS]) % 2
        )
        for i in range(4):
            malformed = malformed or not 0 <= row[TARGETS + 2 * i] <= row[TARGETS + 2 * i + 1] <= sizes[i]
        if malformed:
            raise ValueError(f"promotion {p} is not laid out as basket.pyi says")
        if kind == BUNDLE:
            if row[COMPONENTS] == row[COMPONENTS_END]:
                raise ValueError(f"promotion {p}: a bundle needs distinct component products")
            for i in range(row[COMPONENTS], row[COMPONENTS_END], 2):
                for j in range(row[COMPONENTS], i, 2):
                    if components[i] == components[j]:
                        raise ValueError(f"promotion {p}: a bundle needs distinct component products")
            most = max(most, (row[COMPONENTS_END] - row[COMPONENTS]) // 2)
    return most


cdef const long long* start(const long long[::1] values) noexcept:
    return &values[0] if values.shape[0] else NULL


cdef array.array copied(const long long* values, long long size):
    cdef array.array out = array.clone(LONGS, size, False)
    cdef long long i
    for i in range(size):
        out.data.as_longlongs[i] = values[i]
    return out


cdef array.array LONGS = array.array("q")


def apply(
    const long long[::1] promotions, const long long[::1] targets,
    const long long[::1] get_targets, const long long[::1] components,
    const long long[::1] steps, const long long[::1] blocked, const long long[::1] lines,
):
    """Apply the promotions in order to the lines: (line discounts, results, allocations)."""
    cdef long long most = check(promotions, targets, get_targets, components, steps, blocked, lines)
    cdef long long n = lines.shape[0] // LINE_WIDTH
    cdef long long slot = n if n > 0 else 1
    cdef Promotions table
    cdef Basket b
    cdef long long* block
    cdef int outcome
    cdef long long i
    table.rows, table.targets, table.get_targets = start(promotions), start(targets), start(get_targets)
    table.components, table.steps, table.blocked = start(components), start(steps), start(blocked)
    table.count = blocked.shape[0]
    b.size, b.lines, b.n_keys, b.n_results = n, start(lines), 0, 0
    b.n_allocations = b.n_reported = 0
    b.capacity = 2 * (n + 16)
    block = <long long*>calloc(16 * slot, sizeof(long long))
    b.keys = <Keyed*>malloc(2 * slot * sizeof(Keyed))
    b.runs = <Run*>malloc(slot * sizeof(Run))
    b.rests = <Rest*>malloc(slot * sizeof(Rest))
    b.parts = <Units*>malloc(most * sizeof(Units))
    b.results = <long long*>malloc((table.count + 1) * RESULT_WIDTH * sizeof(long long))
    b.allocations = <long long*>malloc(b.capacity * sizeof(long long))
    try:
        if (block == NULL or b.keys == NULL or b.runs == NULL or b.rests == NULL
                or b.parts == NULL or b.results == NULL or b.allocations == NULL):
            raise MemoryError()
        b.amount, b.touched, b.locked_by = block, block + slot, block + 2 * slot
        b.first_by, b.free_units, b.discounts = block + 3 * slot, block + 4 * slot, block + 5 * slot
        b.offer, b.weight, b.used, b.given = (block + 6 * slot, block + 7 * slot, block + 8 * slot,
                                              block + 9 * slot)
        b.mark, b.mark_get, b.relevant = block + 10 * slot, block + 11 * slot, block + 12 * slot
        b.eligible, b.picked = block + 13 * slot, block + 14 * slot
        for i in range(n):
            b.amount[i] = lines[i * LINE_WIDTH + LINE_AMOUNT]
            b.touched[i] = lines[i * LINE_WIDTH + REDUCED] != 0
            b.locked_by[i] = b.first_by[i] = -1
            if lines[i * LINE_WIDTH + COUNTABLE]:
                b.free_units[i] = lines[i * LINE_WIDTH + QUANTITY] // 1000
        with nogil:
            outcome = run(&b, &table)
        if outcome < 0:
            raise MemoryError()
        return (
            copied(b.discounts, n),
            copied(b.results, b.n_results * RESULT_WIDTH),
            copied(b.allocations, b.n_allocations),
        )
    finally:
        free(block)
        free(b.keys)
        free(b.runs)
        free(b.rests)
        free(b.parts)
        free(b.results)
        free(b.allocations)


def encode_lines(object lines, object products, object categories):
    """The basket's lines as apply reads them, and the index of the first line outside the
    limits (-1: none); the twin's docstring says what a line is."""
    cdef Py_ssize_t n = len(lines), index
    cdef array.array encoded = array.clone(LONGS, n * LINE_WIDTH, False)
    cdef long long* row
    cdef long long numerator, denominator, price, amount
    cdef int128 thousandths
    cdef object line, ratio, category, key
    for index in range(n):
        line = lines[index]
        ratio = line.quantity.as_integer_ratio()
        try:
            numerator, denominator = ratio[0], ratio[1]
            price, amount = line.unit_price, line.amount
        except OverflowError:
            return encoded[: index * LINE_WIDTH], index
        if numerator <= 0 or numerator > LIMIT_THOUSANDTHS:
            return encoded[: index * LINE_WIDTH], index
        thousandths = <int128>numerator * 1000
        if thousandths % denominator:
            return encoded[: index * LINE_WIDTH], index
        thousandths = thousandths / denominator
        if (
            thousandths > LIMIT_THOUSANDTHS
            or not 0 <= price <= LIMIT_MONEY
            or not 0 <= amount <= LIMIT_MONEY
            or <int128>price * thousandths > <int128>LIMIT_MONEY * 1000
        ):
            return encoded[: index * LINE_WIDTH], index
        row = encoded.data.as_longlongs + index * LINE_WIDTH
        key = products.get(line.product_id.int)
        row[PRODUCT] = NONE if key is None else key
        category = line.category_id
        key = None if category is None else categories.get(category.int)
        row[CATEGORY] = NONE if key is None else key
        row[QUANTITY] = <long long>thousandths
        row[UNIT_PRICE] = price
        row[LINE_AMOUNT] = amount
        row[COUNTABLE] = 1 if line.countable else 0
        row[REDUCED] = 1 if line.reduced else 0
    return encoded, -1


def decode_results(
    const long long[::1] results, const long long[::1] allocations, tuple keys, object blocked,
    object make,
):
    """make(key, status, discount, shares, short, excluded_by, blocked_reason) for each row
    of apply's results (the twin's docstring says more)."""
    cdef Py_ssize_t rows = results.shape[0] // RESULT_WIDTH, i, j, taken = 0
    cdef const long long* row
    cdef list decoded = []
    cdef tuple shares
    cdef object key
    for i in range(rows):
        row = &results[i * RESULT_WIDTH]
        shares = tuple([
            (allocations[2 * j], allocations[2 * j + 1])
            for j in range(taken, taken + row[R_ALLOCATIONS])
        ])
        taken += row[R_ALLOCATIONS]
        key = keys[row[R_PROMOTION]]
        decoded.append(make(
            key,
            STATUSES[row[R_STATUS]],
            row[R_DISCOUNT],
            shares,
            row[R_SHORT],
            keys[row[R_EXCLUDED_BY]] if row[R_EXCLUDED_BY] != NONE else None,
            blocked[key] if row[R_STATUS] == BLOCKED else None,
        ))
    return tuple(decoded)
