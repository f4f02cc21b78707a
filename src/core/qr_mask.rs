//! Choosing a QR mask for a symbol the `qrcode` crate encoded and placed: the standard's
//! penalty of each of the eight masked symbols, computed on rows and columns held as bit sets
//! (a module per bit), so that each mask costs a few word operations per line and a step per
//! run instead of a step per module. The crate's own search scores every module of eight
//! masked copies: about twice node-qrcode's whole encode in wasm. The crate then applies the
//! chosen mask and writes the format information itself.

use qrcode::canvas::{Canvas, MaskPattern, Module};
use qrcode::{Color, EcLevel, Version};

/// One row or column: bit `x` is module `x` (dark = 1); versions up to 40 (177 modules).
type Line = [u64; 3];

/// The eight masks, by their 3-bit number.
pub const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// Whether mask `mask` (0..8) flips the data module at column `x`, row `y`.
#[allow(clippy::manual_is_multiple_of)] // the standard's formulas, as written there
fn flips(mask: usize, x: usize, y: usize) -> bool {
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

/// The 15-bit format word of a level and mask: 5 data bits, BCH(15,5), XOR 0x5412.
fn format_word(level: EcLevel, mask: usize) -> u32 {
    // The format's two level bits: L 01, M 00, Q 11, H 10.
    let data = ((level as u32) ^ 1) << 3 | mask as u32;
    let mut rem = data;
    for _ in 0..10 {
        rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    }
    (data << 10 | rem) ^ 0x5412
}

/// The two places (column, row) of each of the 15 format bits, bit 0 first.
fn format_places(size: usize) -> [[(usize, usize); 2]; 15] {
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

/// A placed, unmasked symbol as bit sets: its dark modules, and the modules a mask flips
/// (data and error correction, not function patterns), by row and by column.
struct Unmasked {
    size: usize,
    level: EcLevel,
    data_rows: Vec<Line>,
    data_cols: Vec<Line>,
    free_rows: Vec<Line>,
    free_cols: Vec<Line>,
}

impl Unmasked {
    fn read(canvas: &Canvas, version: Version, level: EcLevel) -> Unmasked {
        let size = version.width() as usize;
        let mut u = Unmasked {
            size,
            level,
            data_rows: vec![[0; 3]; size],
            data_cols: vec![[0; 3]; size],
            free_rows: vec![[0; 3]; size],
            free_cols: vec![[0; 3]; size],
        };
        for y in 0..size {
            let (yw, yb) = (y >> 6, 1u64 << (y & 63));
            for x in 0..size {
                let (xw, xb) = (x >> 6, 1u64 << (x & 63));
                let (dark, free) = match canvas.get(x as i16, y as i16) {
                    Module::Empty => (false, true),
                    Module::Unmasked(c) => (c == Color::Dark, true),
                    Module::Masked(c) => (c == Color::Dark, false),
                };
                if dark {
                    u.data_rows[y][xw] |= xb;
                    u.data_cols[x][yw] |= yb;
                }
                if free {
                    u.free_rows[y][xw] |= xb;
                    u.free_cols[x][yw] |= yb;
                }
            }
        }
        u
    }

    /// The rows and columns of the symbol under mask `mask`, format information included.
    fn masked(&self, mask: usize, rows: &mut [Line], cols: &mut [Line]) {
        // Every mask repeats every 6 columns and 12 rows: build those lines once.
        let mut row_pattern = [[0u64; 3]; 12];
        for (y, line) in row_pattern.iter_mut().enumerate() {
            *line = repeat(6, |x| flips(mask, x, y));
        }
        let mut col_pattern = [[0u64; 3]; 6];
        for (x, line) in col_pattern.iter_mut().enumerate() {
            *line = repeat(12, |y| flips(mask, x, y));
        }
        for i in 0..self.size {
            for w in 0..3 {
                rows[i][w] = self.data_rows[i][w] ^ (row_pattern[i % 12][w] & self.free_rows[i][w]);
                cols[i][w] = self.data_cols[i][w] ^ (col_pattern[i % 6][w] & self.free_cols[i][w]);
            }
        }
        let word = format_word(self.level, mask);
        for (i, pair) in format_places(self.size).iter().enumerate() {
            let bit = (word >> i) & 1 != 0;
            for &(x, y) in pair {
                set(&mut rows[y], x, bit);
                set(&mut cols[x], y, bit);
            }
        }
    }
}

/// The mask whose symbol has the lowest penalty (the first of them on a tie, as the crate's
/// own search picks). `canvas` holds the function patterns and the placed data, unmasked.
pub fn best_mask(canvas: &Canvas, version: Version, level: EcLevel) -> MaskPattern {
    let unmasked = Unmasked::read(canvas, version, level);
    let size = unmasked.size;
    let mut rows = vec![[0u64; 3]; size];
    let mut cols = vec![[0u64; 3]; size];
    let mut best = (usize::MAX, 0);
    for mask in 0..MASKS.len() {
        unmasked.masked(mask, &mut rows, &mut cols);
        let p = penalty(&rows, &cols, size);
        if p < best.0 {
            best = (p, mask);
        }
    }
    MASKS[best.1]
}

#[cfg(test)]
/// The penalty computed module by module, as the standard words it (the oracle).
pub fn plain_penalty(size: usize, dark: &[bool]) -> usize {
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

    /// The crate's canvas of `text`, placed and unmasked.
    pub fn placed(text: &[u8], level: EcLevel) -> (Canvas, Version) {
        let bits = qrcode::bits::encode_auto(text, level).unwrap();
        let version = bits.version();
        let (data, ec) =
            qrcode::ec::construct_codewords(&bits.into_bytes(), version, level).unwrap();
        let mut canvas = Canvas::new(version, level);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        (canvas, version)
    }

    /// Every module of `canvas`, row-major, dark = true.
    fn modules(canvas: Canvas) -> Vec<bool> {
        canvas
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect()
    }

    fn texts() -> Vec<(Vec<u8>, EcLevel)> {
        let levels = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];
        [1, 17, 60, 104, 300, 700, 1200]
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let text = (0..n)
                    .map(|j| b"https://pay.example/q?x=9Z"[j % 26])
                    .collect();
                (text, levels[i % 4])
            })
            .collect()
    }

    #[test]
    fn each_masked_symbol_is_what_the_crate_draws() {
        // The scorer's rows and columns for each mask, format information included, are the
        // modules the crate's own apply_mask writes: the scores are of the real symbols.
        for (text, level) in texts() {
            let (canvas, version) = placed(&text, level);
            let unmasked = Unmasked::read(&canvas, version, level);
            let size = unmasked.size;
            let (mut rows, mut cols) = (vec![[0u64; 3]; size], vec![[0u64; 3]; size]);
            for (mask, pattern) in MASKS.into_iter().enumerate() {
                unmasked.masked(mask, &mut rows, &mut cols);
                let mut drawn = canvas.clone();
                drawn.apply_mask(pattern);
                let (want_rows, want_cols) = lines(size, &modules(drawn));
                assert_eq!(rows, want_rows, "{version:?} {level:?} mask {mask}: rows");
                assert_eq!(
                    cols, want_cols,
                    "{version:?} {level:?} mask {mask}: columns"
                );
            }
        }
    }

    #[test]
    fn the_chosen_mask_has_the_lowest_penalty() {
        for (text, level) in texts() {
            let (canvas, version) = placed(&text, level);
            let size = version.width() as usize;
            let penalties: Vec<usize> = MASKS
                .into_iter()
                .map(|pattern| {
                    let mut drawn = canvas.clone();
                    drawn.apply_mask(pattern);
                    plain_penalty(size, &modules(drawn))
                })
                .collect();
            let lowest = *penalties.iter().min().unwrap();
            let first = penalties.iter().position(|&p| p == lowest).unwrap();
            let chosen = best_mask(&canvas, version, level);
            assert_eq!(
                chosen as usize, first,
                "{version:?} {level:?}: {penalties:?}"
            );
        }
    }
}
