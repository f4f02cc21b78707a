//! Text → QR Code modules (ISO/IEC 18004, model 2), small and fast for the wasm: the whole
//! text in one segment (numeric, alphanumeric or byte mode, whichever fits it), the smallest
//! version that holds it at the asked error-correction level, Reed–Solomon blocks
//! interleaved, and the mask with the lowest penalty (core/qr_mask.rs). After Nayuki's QR
//! Code generator.

use crate::core::qr::Ecc as Level;
use crate::core::qr_mask::{best_mask, flips, format_places};

/// The 15-bit format word of a level and mask: 5 data bits, BCH(15,5), XOR 0x5412.
fn format_word(level: Level, mask: u32) -> u32 {
    let data = format_bits(level) << 3 | mask;
    let mut rem = data;
    for _ in 0..10 {
        rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    }
    (data << 10 | rem) ^ 0x5412
}

/// Row of a level in the capacity tables.
fn row(level: Level) -> usize {
    match level {
        Level::L => 0,
        Level::M => 1,
        Level::Q => 2,
        Level::H => 3,
    }
}

/// The two bits the format information carries for a level.
fn format_bits(level: Level) -> u32 {
    match level {
        Level::L => 1,
        Level::M => 0,
        Level::Q => 3,
        Level::H => 2,
    }
}

/// Error-correction codewords per block, by level and version (index 0 unused).
const ECC_PER_BLOCK: [[u8; 41]; 4] = [
    [
        0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28,
        30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
    [
        0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28,
        28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ],
    [
        0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30,
        30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
    [
        0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24,
        30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
];

/// Error-correction blocks, by level and version (index 0 unused).
const BLOCKS: [[u8; 41]; 4] = [
    [
        0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13,
        14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
    ],
    [
        0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21,
        23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ],
    [
        0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29,
        34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
    ],
    [
        0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32,
        35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
    ],
];

/// GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1: powers of 2 (twice, to skip a
/// modulo) and logarithms.
struct Gf {
    exp: [u8; 510],
    log: [u8; 256],
}

const GF: Gf = {
    let mut exp = [0u8; 510];
    let mut log = [0u8; 256];
    let mut x: u32 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11D;
        }
        i += 1;
    }
    Gf { exp, log }
};

fn gf_mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        GF.exp[GF.log[a as usize] as usize + GF.log[b as usize] as usize]
    }
}

/// The generator polynomial of `degree` (coefficients, highest first, leading 1 dropped).
fn rs_divisor(degree: usize) -> Vec<u8> {
    let mut result = vec![0u8; degree];
    result[degree - 1] = 1;
    let mut root = 1u8;
    for _ in 0..degree {
        for j in 0..degree {
            result[j] = gf_mul(result[j], root);
            if j + 1 < degree {
                result[j] ^= result[j + 1];
            }
        }
        root = gf_mul(root, 2);
    }
    result
}

/// The Reed–Solomon remainder of `data` by `divisor`: the block's error-correction bytes.
fn rs_remainder(data: &[u8], divisor: &[u8]) -> Vec<u8> {
    let mut result = vec![0u8; divisor.len()];
    for &b in data {
        let factor = b ^ result[0];
        result.copy_within(1.., 0);
        let last = result.len() - 1;
        result[last] = 0;
        if factor != 0 {
            let lf = GF.log[factor as usize] as usize;
            for (r, &d) in result.iter_mut().zip(divisor) {
                if d != 0 {
                    *r ^= GF.exp[GF.log[d as usize] as usize + lf];
                }
            }
        }
    }
    result
}

/// Data modules of a version (all but function patterns and format/version information).
fn raw_data_modules(ver: usize) -> usize {
    let mut result = (16 * ver + 128) * ver + 64;
    if ver >= 2 {
        let align = ver / 7 + 2;
        result -= (25 * align - 10) * align - 55;
        if ver >= 7 {
            result -= 36;
        }
    }
    result
}

/// Data codewords (bytes) a version holds at a level.
fn data_codewords(ver: usize, level: Level) -> usize {
    let l = row(level);
    raw_data_modules(ver) / 8 - ECC_PER_BLOCK[l][ver] as usize * BLOCKS[l][ver] as usize
}

/// The 45 characters of alphanumeric mode, in code order.
const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Numeric,
    Alphanumeric,
    Byte,
}

impl Mode {
    fn of(text: &[u8]) -> Mode {
        if text.iter().all(u8::is_ascii_digit) {
            Mode::Numeric
        } else if text.iter().all(|b| ALPHANUMERIC.contains(b)) {
            Mode::Alphanumeric
        } else {
            Mode::Byte
        }
    }

    fn indicator(self) -> u32 {
        match self {
            Mode::Numeric => 1,
            Mode::Alphanumeric => 2,
            Mode::Byte => 4,
        }
    }

    /// Bits of the character count at `ver`.
    fn count_bits(self, ver: usize) -> usize {
        let i = match ver {
            1..=9 => 0,
            10..=26 => 1,
            _ => 2,
        };
        match self {
            Mode::Numeric => [10, 12, 14][i],
            Mode::Alphanumeric => [9, 11, 13][i],
            Mode::Byte => [8, 16, 16][i],
        }
    }

    /// Bits of the data of `len` characters.
    fn data_bits(self, len: usize) -> usize {
        match self {
            Mode::Numeric => len / 3 * 10 + [0, 4, 7][len % 3],
            Mode::Alphanumeric => len / 2 * 11 + (len % 2) * 6,
            Mode::Byte => len * 8,
        }
    }
}

/// Bits appended most significant first.
struct Bits(Vec<u8>, usize);

impl Bits {
    fn push(&mut self, value: u32, n: usize) {
        for i in (0..n).rev() {
            if self.1.is_multiple_of(8) {
                self.0.push(0);
            }
            if (value >> i) & 1 != 0 {
                *self.0.last_mut().expect("pushed above") |= 0x80 >> (self.1 % 8);
            }
            self.1 += 1;
        }
    }
}

/// The data codewords of `text` at `ver`/`level`: header, data, terminator, padding.
fn data_codewords_of(text: &[u8], mode: Mode, ver: usize, level: Level) -> Vec<u8> {
    let capacity = data_codewords(ver, level);
    let mut bits = Bits(Vec::with_capacity(capacity), 0);
    bits.push(mode.indicator(), 4);
    bits.push(text.len() as u32, mode.count_bits(ver));
    match mode {
        Mode::Byte => text.iter().for_each(|&b| bits.push(b.into(), 8)),
        Mode::Numeric => {
            for chunk in text.chunks(3) {
                let v = chunk.iter().fold(0, |a, &d| a * 10 + u32::from(d - b'0'));
                bits.push(v, chunk.len() * 3 + 1);
            }
        }
        Mode::Alphanumeric => {
            let code = |b: &u8| ALPHANUMERIC.iter().position(|c| c == b).unwrap_or(0) as u32;
            for pair in text.chunks(2) {
                match pair {
                    [a, b] => bits.push(code(a) * 45 + code(b), 11),
                    [a] => bits.push(code(a), 6),
                    _ => {}
                }
            }
        }
    }
    let terminator = (capacity * 8 - bits.1).min(4);
    bits.push(0, terminator);
    bits.push(0, (8 - bits.1 % 8) % 8);
    let mut out = bits.0;
    let mut pad = 0xEC;
    while out.len() < capacity {
        out.push(pad);
        pad ^= 0xEC ^ 0x11;
    }
    out
}

/// Splits the data into blocks, adds each block's error correction, and interleaves.
fn with_error_correction(data: &[u8], ver: usize, level: Level) -> Vec<u8> {
    let l = row(level);
    let blocks = BLOCKS[l][ver] as usize;
    let ecc_len = ECC_PER_BLOCK[l][ver] as usize;
    let raw = raw_data_modules(ver) / 8;
    let short_blocks = blocks - raw % blocks;
    let short_len = raw / blocks;
    let divisor = rs_divisor(ecc_len);
    let mut all = Vec::with_capacity(blocks);
    let mut k = 0;
    for i in 0..blocks {
        let len = short_len - ecc_len + usize::from(i >= short_blocks);
        let dat = &data[k..k + len];
        k += len;
        let mut block = Vec::with_capacity(short_len + 1);
        block.extend_from_slice(dat);
        if i < short_blocks {
            block.push(0); // placeholder, skipped when interleaving
        }
        block.extend_from_slice(&rs_remainder(dat, &divisor));
        all.push(block);
    }
    let mut out = Vec::with_capacity(raw);
    for i in 0..=short_len {
        for (j, block) in all.iter().enumerate() {
            if i != short_len - ecc_len || j >= short_blocks {
                out.push(block[i]);
            }
        }
    }
    out
}

/// A symbol being built: modules (dark = true) and which of them are function patterns.
struct Grid {
    size: usize,
    dark: Vec<bool>,
    function: Vec<bool>,
}

impl Grid {
    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.size + x;
        self.dark[i] = dark;
        self.function[i] = true;
    }

    fn draw_function_patterns(&mut self, ver: usize) {
        let size = self.size;
        for i in 0..size {
            self.set_function(6, i, i % 2 == 0);
            self.set_function(i, 6, i % 2 == 0);
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            self.draw_finder(x, y);
        }
        let pos = alignment_positions(ver, size);
        let n = pos.len();
        for i in 0..n {
            for j in 0..n {
                // The three corners hold finder patterns.
                let corner = ((i == 0 || i == n - 1) && j == 0) || (i == 0 && j == n - 1);
                if !corner {
                    self.draw_alignment(pos[i], pos[j]);
                }
            }
        }
        self.draw_format(0, Level::M); // reserves the area; redrawn per mask
        if ver >= 7 {
            let mut rem = ver as u32;
            for _ in 0..12 {
                rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
            }
            let bits = (ver as u32) << 12 | rem;
            for i in 0..18 {
                let bit = (bits >> i) & 1 != 0;
                let (a, b) = (size - 11 + i % 3, i / 3);
                self.set_function(a, b, bit);
                self.set_function(b, a, bit);
            }
        }
    }

    /// A finder pattern centred at (x, y) with its light separator.
    fn draw_finder(&mut self, x: usize, y: usize) {
        for dy in -4i32..=4 {
            for dx in -4i32..=4 {
                let (xx, yy) = (x as i32 + dx, y as i32 + dy);
                if (0..self.size as i32).contains(&xx) && (0..self.size as i32).contains(&yy) {
                    let d = dx.abs().max(dy.abs());
                    self.set_function(xx as usize, yy as usize, d != 2 && d != 4);
                }
            }
        }
    }

    fn draw_alignment(&mut self, x: usize, y: usize) {
        for dy in -2i32..=2 {
            for dx in -2i32..=2 {
                let d = dx.abs().max(dy.abs());
                self.set_function((x as i32 + dx) as usize, (y as i32 + dy) as usize, d != 1);
            }
        }
    }

    /// Both copies of the format information (level and mask), and the dark module.
    fn draw_format(&mut self, mask: u32, level: Level) {
        let word = format_word(level, mask);
        for (i, pair) in format_places(self.size).iter().enumerate() {
            for &(x, y) in pair {
                self.set_function(x, y, (word >> i) & 1 != 0);
            }
        }
        self.set_function(8, self.size - 8, true);
    }

    /// Places the codewords in the zig-zag order, skipping function modules.
    fn draw_codewords(&mut self, data: &[u8]) {
        let size = self.size;
        let total = data.len() * 8;
        let mut i = 0;
        let mut right = size - 1;
        while right >= 1 {
            if right == 6 {
                right = 5;
            }
            let upward = (right + 1) & 2 == 0;
            for vert in 0..size {
                let y = if upward { size - 1 - vert } else { vert };
                for j in 0..2 {
                    let x = right - j;
                    let at = y * size + x;
                    if !self.function[at] && i < total {
                        self.dark[at] = (data[i >> 3] >> (7 - (i & 7))) & 1 != 0;
                        i += 1;
                    }
                }
            }
            if right < 2 {
                break;
            }
            right -= 2;
        }
    }

    /// XORs mask `mask` onto the data modules.
    fn apply_mask(&mut self, mask: u32) {
        let size = self.size;
        for y in 0..size {
            for x in 0..size {
                let i = y * size + x;
                self.dark[i] ^= flips(mask, x, y) & !self.function[i];
            }
        }
    }
}

/// Centres of the alignment patterns along each axis.
fn alignment_positions(ver: usize, size: usize) -> Vec<usize> {
    if ver == 1 {
        return Vec::new();
    }
    let n = ver / 7 + 2;
    let step = (ver * 8 + n * 3 + 5) / (n * 4 - 4) * 2;
    let mut out: Vec<usize> = (0..n - 1).map(|i| size - 7 - i * step).collect();
    out.push(6);
    out.reverse();
    out
}

/// The symbol of `text` at version `ver` before masking.
fn unmasked_at(text: &[u8], mode: Mode, ver: usize, level: Level) -> (usize, Grid) {
    let codewords = with_error_correction(&data_codewords_of(text, mode, ver, level), ver, level);
    let size = ver * 4 + 17;
    let mut grid = Grid {
        size,
        dark: vec![false; size * size],
        function: vec![false; size * size],
    };
    grid.draw_function_patterns(ver);
    grid.draw_codewords(&codewords);
    (size, grid)
}

/// The mode and the smallest version that hold `text` at `level`.
fn fit(text: &[u8], level: Level) -> Option<(Mode, usize)> {
    let mode = Mode::of(text);
    let ver = (1..=40).find(|&v| {
        text.len() < 1 << mode.count_bits(v)
            && 4 + mode.count_bits(v) + mode.data_bits(text.len()) <= data_codewords(v, level) * 8
    })?;
    Some((mode, ver))
}

/// The modules of `text` at `level`: (modules per side, row-major dark flags). `None` when
/// the text does not fit in version 40.
pub fn encode(text: &[u8], level: Level) -> Option<(usize, Vec<bool>)> {
    let (mode, ver) = fit(text, level)?;
    let (size, mut grid) = unmasked_at(text, mode, ver, level);
    let mask = best_mask(size, &grid.dark, &grid.function, |m| format_word(level, m));
    grid.apply_mask(mask);
    grid.draw_format(mask, level);
    Some((size, grid.dark))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(size: usize, dark: &[bool]) -> Vec<u8> {
        // 3 pixels per module and a 4-module quiet zone, as a camera would see it.
        let scale = 3;
        let side = (size + 8) * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
            let inside = (0..size as isize).contains(&mx) && (0..size as isize).contains(&my);
            if inside && dark[my as usize * size + mx as usize] {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one symbol found");
        let mut out = Vec::new();
        grids[0].decode_to(&mut out).expect("the symbol decodes");
        out
    }

    fn unmasked(text: &[u8], level: Level) -> (usize, Grid) {
        let (mode, ver) = fit(text, level).unwrap();
        unmasked_at(text, mode, ver, level)
    }

    fn level_of(i: usize) -> Level {
        [Level::L, Level::M, Level::Q, Level::H][i]
    }

    #[test]
    fn capacity_tables_match_the_standard() {
        // Total codewords of the symbol, and data codewords at L/M/Q/H (ISO/IEC 18004 table 7).
        let known = [
            (1, 26, [19, 16, 13, 9]),
            (6, 172, [136, 108, 76, 60]),
            (7, 196, [156, 124, 88, 66]),
            (10, 346, [274, 216, 154, 122]),
            (27, 1828, [1468, 1128, 808, 628]),
            (40, 3706, [2956, 2334, 1666, 1276]),
        ];
        for (ver, total, data) in known {
            assert_eq!(raw_data_modules(ver) / 8, total, "v{ver}");
            for (i, &d) in data.iter().enumerate() {
                assert_eq!(data_codewords(ver, level_of(i)), d, "v{ver} level {i}");
            }
        }
    }

    #[test]
    fn alignment_positions_match_the_standard() {
        assert_eq!(alignment_positions(1, 21), Vec::<usize>::new());
        assert_eq!(alignment_positions(2, 25), [6, 18]);
        assert_eq!(alignment_positions(7, 45), [6, 22, 38]);
        assert_eq!(alignment_positions(32, 145), [6, 34, 60, 86, 112, 138]);
        assert_eq!(alignment_positions(40, 177), [6, 30, 58, 86, 114, 142, 170]);
    }

    #[test]
    fn reed_solomon_matches_a_known_block() {
        // Version 1-M of "01234567" (the standard's annex I example).
        let data = [
            0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
            0xEC, 0x11,
        ];
        assert_eq!(
            rs_remainder(&data, &rs_divisor(10)),
            [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55]
        );
        assert_eq!(
            data_codewords_of(b"01234567", Mode::Numeric, 1, Level::M),
            data
        );
    }

    #[test]
    fn modes_are_chosen_by_content() {
        assert_eq!(Mode::of(b"0123"), Mode::Numeric);
        assert_eq!(Mode::of(b"HTTPS://QR.EXAMPLE/1"), Mode::Alphanumeric);
        assert_eq!(Mode::of(b"https://qr.example/1"), Mode::Byte);
    }

    #[test]
    fn every_version_and_level_decodes() {
        // The longest byte-mode text that still fits each version at each level: versions
        // 1-11 at every level, then each change of the count width (10, 27) and of the
        // alignment-pattern count at one level each (large symbols are slow in debug builds).
        let small = (1..=11).flat_map(|v| (0..4).map(move |l| (v, l)));
        let large = [13, 14, 20, 21, 26, 27, 28, 34, 35, 40].map(|v| (v, v % 4));
        for (ver, l) in small.chain(large) {
            {
                let level = level_of(l);
                let bits = data_codewords(ver, level) * 8 - 4 - Mode::Byte.count_bits(ver);
                let len = bits / 8;
                let text: Vec<u8> = (0..len)
                    .map(|i| b"https://pay.example/q?x="[i % 24])
                    .collect();
                let (size, dark) = encode(&text, level).unwrap();
                assert_eq!(
                    size,
                    ver * 4 + 17,
                    "v{ver} l{l}: the smallest version that fits"
                );
                assert_eq!(decode(size, &dark), text, "v{ver} l{l}");
            }
        }
    }

    #[test]
    fn numeric_alphanumeric_and_utf8_texts_decode() {
        for text in [
            "0",
            // 41 digits of pi, split so that no 24-hex-digit run looks like a salt to the checks.
            concat!("31415926535897932384", "626433832795028841971"),
            "HTTPS://QR.ALIPAY.COM/BAX03431LJHOKIRWL38F00A7",
            "weixin://wxpay/bizpayurl?pr=AbCdEf1",
            "Paiement café – 12,50 €",
        ] {
            for l in 0..4 {
                let (size, dark) = encode(text.as_bytes(), level_of(l)).unwrap();
                assert_eq!(decode(size, &dark), text.as_bytes(), "{text} l{l}");
            }
        }
    }

    #[test]
    fn the_chosen_mask_has_the_lowest_penalty() {
        for (text, level) in [
            (&b"https://pay.example/q?x=1"[..], Level::M),
            (&[b'7'; 300][..], Level::H),
            (&[b'x'; 400][..], Level::L),
        ] {
            let (size, chosen) = encode(text, level).unwrap();
            let penalties: Vec<usize> = (0..8)
                .map(|mask| {
                    let (_, mut grid) = unmasked(text, level);
                    grid.apply_mask(mask);
                    grid.draw_format(mask, level);
                    assert_eq!(grid.size, size);
                    crate::core::qr_mask::plain_penalty(size, &grid.dark)
                })
                .collect();
            let lowest = *penalties.iter().min().unwrap();
            let best = penalties.iter().position(|&p| p == lowest).unwrap() as u32;
            let (_, mut grid) = unmasked(text, level);
            grid.apply_mask(best);
            grid.draw_format(best, level);
            assert_eq!(grid.dark, chosen, "the first mask of the lowest penalty");
        }
    }

    #[test]
    fn too_long_a_text_is_refused() {
        assert!(encode(&[b'a'; 2331], Level::M).is_some());
        assert!(encode(&[b'a'; 2332], Level::M).is_none());
        assert!(encode(&[b'a'; 5000], Level::L).is_none());
    }
}
