//! Choosing a QR mask: the standard's penalty of each of the eight masked symbols, computed
//! on rows and columns held as bit sets (a module per bit), so that each mask costs a few
//! word operations per line and a step per run instead of a step per module.

/// One row or column: bit `x` is module `x` (dark = 1); versions up to 40 (177 modules).
type Line = [u64; 3];

/// Whether mask `mask` (0..8) flips the data module at column `x`, row `y`.
#[allow(clippy::manual_is_multiple_of)] // the standard's formulas, as written there
pub fn flips(mask: u32, x: usize, y: usize) -> bool {
    match mask {
        0 => (x + y) % 2 == 0,
        1 => y % 2 == 0,
        2 => x % 3 == 0,
        3 => (x + y) % 3 == 0,
        4 => (x / 3 + y / 2) % 2 == 0,
        5 => x * y % 2 + x * y % 3 == 0,
        6 => (x * y % 2 + x * y % 3) % 2 == 0,
        _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
    }
}

/// The two places (column, row) of each of the 15 format bits, bit 0 first.
pub fn format_places(size: usize) -> [[(usize, usize); 2]; 15] {
    let mut out = [[(0, 0); 2]; 15];
    for (i, place) in out.iter_mut().enumerate() {
        let first = match i {
            0..=5 => (8, i),
            6 => (8, 7),
            7 => (8, 8),
            8 => (7, 8),
            _ => (14 - i, 8),
        };
        let second = if i < 8 {
            (size - 1 - i, 8)
        } else {
            (8, size - 15 + i)
        };
        *place = [first, second];
    }
    out
}

fn set(line: &mut Line, x: usize, dark: bool) {
    let bit = 1u64 << (x & 63);
    if dark {
        line[x >> 6] |= bit;
    } else {
        line[x >> 6] &= !bit;
    }
}

/// Bit x of the result is bit x − 1 of `l` (bit 0 is 0: light before the line).
fn shifted_in(l: &Line) -> Line {
    [l[0] << 1, l[1] << 1 | l[0] >> 63, l[2] << 1 | l[1] >> 63]
}

/// Bit x of the result is bit x + 1 of `l`.
fn shifted_out(l: &Line) -> Line {
    [l[0] >> 1 | l[1] << 63, l[1] >> 1 | l[2] << 63, l[2] >> 1]
}

/// The line whose bit i is `f(i % period)`, for a period of 6 or 12 (a divisor of 60).
fn repeat(period: usize, f: impl Fn(usize) -> bool) -> Line {
    let mut out = [0; 3];
    for (w, word) in out.iter_mut().enumerate() {
        // The copy that starts word w begins at phase 64·w mod period.
        let phase = 64 * w % period;
        let mut p = 0u64;
        for i in 0..period {
            p |= u64::from(f((phase + i) % period)) << i;
        }
        // Copies at bits 0, period, 2·period, … (the last one cut at bit 63).
        for k in 0..64_usize.div_ceil(period) {
            *word |= p << (k * period);
        }
    }
    out
}

/// Bits 0..n set.
fn first(n: usize) -> Line {
    let mut out = [0; 3];
    for (w, word) in out.iter_mut().enumerate() {
        let lo = w * 64;
        *word = match n.saturating_sub(lo) {
            0 => 0,
            k if k >= 64 => u64::MAX,
            k => (1 << k) - 1,
        };
    }
    out
}

/// Finder-like run patterns (1:1:3:1:1 with light space on a side) along a line, counted
/// as the standard's penalty rule 3 does; the light border counts as light. The last seven
/// run lengths are packed 9 bits each (at most 2 × 177) into one word, newest lowest.
struct Finder {
    size: usize,
    runs: u64,
}

impl Finder {
    fn new(size: usize) -> Finder {
        Finder { size, runs: 0 }
    }

    fn run(&self, i: usize) -> usize {
        (self.runs >> (9 * i)) as usize & 0x1FF
    }

    fn add(&mut self, mut run: usize) {
        if self.runs == 0 {
            run += self.size; // the light border before the line
        }
        self.runs = (self.runs << 9 | run as u64) & ((1 << 63) - 1);
    }

    fn count(&self) -> usize {
        let n = self.run(1);
        let core = n > 0
            && self.run(3) == n * 3
            && self.run(2) == n
            && self.run(4) == n
            && self.run(5) == n;
        if !core {
            return 0;
        }
        let (before, after) = (self.run(6), self.run(0));
        usize::from(after >= n * 4 && before >= n) + usize::from(before >= n * 4 && after >= n)
    }

    fn finish(mut self, dark: bool, mut run: usize) -> usize {
        if dark {
            self.add(run);
            run = 0;
        }
        self.add(run + self.size); // the light border after the line
        self.count()
    }
}

/// Penalty rules 1 (runs of five or more) and 3 (finder-like patterns) along one line.
fn line_penalty(line: &Line, size: usize) -> usize {
    let mut result = 0;
    let mut finder = Finder::new(size);
    // A run starts wherever a module differs from the one before; the line starts with a
    // light run, maybe empty.
    let prev = shifted_in(line);
    let mut dark = false;
    let mut start = 0;
    for (w, (&a, &b)) in line.iter().zip(&prev).enumerate() {
        let mut changes = a ^ b;
        while changes != 0 {
            let x = w * 64 + changes.trailing_zeros() as usize;
            changes &= changes - 1;
            if x >= size {
                break;
            }
            let run = x - start;
            if run >= 5 {
                result += run - 2;
            }
            finder.add(run);
            if !dark {
                result += finder.count() * 40;
            }
            dark = !dark;
            start = x;
        }
    }
    let run = size - start;
    if run >= 5 {
        result += run - 2;
    }
    result + finder.finish(dark, run) * 40
}

/// The standard's penalty of a symbol given as rows and columns.
fn penalty(rows: &[Line], cols: &[Line], size: usize) -> usize {
    let mut result = 0;
    for line in rows.iter().chain(cols) {
        result += line_penalty(line, size);
    }
    // Rule 2: 2×2 blocks of one colour.
    let inside = first(size - 1);
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (a1, b1) = (shifted_out(a), shifted_out(b));
        for w in 0..3 {
            let same = !(a[w] ^ b[w]) & !(a[w] ^ a1[w]) & !(b[w] ^ b1[w]) & inside[w];
            result += same.count_ones() as usize * 3;
        }
    }
    // Rule 4: every 5 % away from half dark costs 10.
    let dark: usize = rows.iter().flatten().map(|w| w.count_ones() as usize).sum();
    let total = size * size;
    let k = (dark * 20).abs_diff(total * 10).div_ceil(total);
    result + k.saturating_sub(1) * 10
}

/// The mask (0..8) whose symbol has the lowest penalty. `dark` and `function` are the
/// unmasked symbol, row-major, `size`² modules; `format(mask)` is the 15-bit format word
/// written at [`format_places`] for that mask.
pub fn best_mask(
    size: usize,
    dark: &[bool],
    function: &[bool],
    format: impl Fn(u32) -> u32,
) -> u32 {
    let mut data_rows = vec![[0u64; 3]; size];
    let mut data_cols = vec![[0u64; 3]; size];
    let mut free_rows = vec![[0u64; 3]; size];
    let mut free_cols = vec![[0u64; 3]; size];
    for (y, (d, f)) in dark
        .chunks_exact(size)
        .zip(function.chunks_exact(size))
        .enumerate()
    {
        let (yw, yb) = (y >> 6, 1u64 << (y & 63));
        for (x, (&d, &f)) in d.iter().zip(f).enumerate() {
            let (xw, xb) = (x >> 6, 1u64 << (x & 63));
            if d {
                data_rows[y][xw] |= xb;
                data_cols[x][yw] |= yb;
            }
            if !f {
                free_rows[y][xw] |= xb;
                free_cols[x][yw] |= yb;
            }
        }
    }
    let places = format_places(size);
    let mut rows = vec![[0u64; 3]; size];
    let mut cols = vec![[0u64; 3]; size];
    let mut best = (usize::MAX, 0);
    for mask in 0..8 {
        // Every mask repeats every 6 columns and 12 rows: build those lines once.
        let mut row_pattern = [[0u64; 3]; 12];
        for (y, line) in row_pattern.iter_mut().enumerate() {
            *line = repeat(6, |x| flips(mask, x, y));
        }
        let mut col_pattern = [[0u64; 3]; 6];
        for (x, line) in col_pattern.iter_mut().enumerate() {
            *line = repeat(12, |y| flips(mask, x, y));
        }
        for y in 0..size {
            for w in 0..3 {
                rows[y][w] = data_rows[y][w] ^ (row_pattern[y % 12][w] & free_rows[y][w]);
                cols[y][w] = data_cols[y][w] ^ (col_pattern[y % 6][w] & free_cols[y][w]);
            }
        }
        let word = format(mask);
        for (i, pair) in places.iter().enumerate() {
            let bit = (word >> i) & 1 != 0;
            for &(x, y) in pair {
                set(&mut rows[y], x, bit);
                set(&mut cols[x], y, bit);
            }
        }
        let p = penalty(&rows, &cols, size);
        if p < best.0 {
            best = (p, mask);
        }
    }
    best.1
}

#[cfg(test)]
/// The penalty computed module by module, as the standard words it (the oracle).
pub(crate) fn plain_penalty(size: usize, dark: &[bool]) -> usize {
    let at = |x: usize, y: usize| dark[y * size + x];
    let mut result = 0;
    for transpose in [false, true] {
        for a in 0..size {
            let mut finder = Finder::new(size);
            let (mut color, mut run) = (false, 0);
            for b in 0..size {
                let c = if transpose { at(a, b) } else { at(b, a) };
                if c == color {
                    run += 1;
                    result += match run {
                        5 => 3,
                        6.. => 1,
                        _ => 0,
                    };
                } else {
                    finder.add(run);
                    if !color {
                        result += finder.count() * 40;
                    }
                    color = c;
                    run = 1;
                }
            }
            result += finder.finish(color, run) * 40;
        }
    }
    for y in 0..size - 1 {
        for x in 0..size - 1 {
            let c = at(x, y);
            if c == at(x + 1, y) && c == at(x, y + 1) && c == at(x + 1, y + 1) {
                result += 3;
            }
        }
    }
    let dark = dark.iter().filter(|&&d| d).count();
    let total = size * size;
    result
        + (dark * 20)
            .abs_diff(total * 10)
            .div_ceil(total)
            .saturating_sub(1)
            * 10
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(size: usize, dark: &[bool]) -> (Vec<Line>, Vec<Line>) {
        let mut rows = vec![[0u64; 3]; size];
        let mut cols = vec![[0u64; 3]; size];
        for y in 0..size {
            for x in 0..size {
                set(&mut rows[y], x, dark[y * size + x]);
                set(&mut cols[x], y, dark[y * size + x]);
            }
        }
        (rows, cols)
    }

    #[test]
    fn bit_set_penalty_equals_the_plain_one() {
        // Pseudo-random symbols of several sizes, with long runs and finder-like patterns.
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for size in [21, 25, 41, 63, 64, 65, 127, 128, 177] {
            for density in [2, 5, 9] {
                let dark: Vec<bool> = (0..size * size)
                    .map(|i| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        (seed % 10 < density) ^ (i % 7 == 0)
                    })
                    .collect();
                let (rows, cols) = lines(size, &dark);
                assert_eq!(
                    penalty(&rows, &cols, size),
                    plain_penalty(size, &dark),
                    "size {size}"
                );
            }
        }
        // A finder pattern in a light field, and an all-dark symbol.
        let size = 21;
        let mut dark = vec![false; size * size];
        for (x, d) in [1, 0, 1, 1, 1, 0, 1].into_iter().enumerate() {
            dark[10 * size + 5 + x] = d == 1;
        }
        let (rows, cols) = lines(size, &dark);
        assert_eq!(penalty(&rows, &cols, size), plain_penalty(size, &dark));
        let dark = vec![true; size * size];
        let (rows, cols) = lines(size, &dark);
        assert_eq!(penalty(&rows, &cols, size), plain_penalty(size, &dark));
    }

    #[test]
    fn format_places_avoid_the_timing_patterns_and_each_other() {
        let size = 25;
        let places = format_places(size);
        let mut all: Vec<(usize, usize)> = places.iter().flatten().copied().collect();
        assert!(all.iter().all(|&(x, y)| x != 6 && y != 6));
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 30);
    }
}
