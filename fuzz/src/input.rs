//! Randomness and mutation for the runner, and `Bytes`, which turns raw bytes into structured
//! values for targets that need more than text.

/// SplitMix64: small, fast and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
}

/// Bytes that matter to parsers wherever they are.
const INTERESTING: &[u8] = &[0, 0x7f, 0x80, 0xff, b'"', b'\\', b'\n', b'\r', b',', b'\t'];

/// One to eight random edits of `base`: flips, interesting bytes, dictionary tokens, deletions,
/// duplicated ranges and truncation.
pub fn mutate(base: &[u8], rng: &mut Rng, dictionary: &[&str]) -> Vec<u8> {
    let mut data = base.to_vec();
    for _ in 0..=rng.below(8) {
        let len = data.len() as u64;
        let at = rng.below(len + 1) as usize;
        match rng.below(8) {
            0 if !data.is_empty() => {
                let i = rng.below(len) as usize;
                data[i] ^= 1 << rng.below(8);
            }
            1 if !data.is_empty() => {
                let i = rng.below(len) as usize;
                data[i] = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
            }
            2 if !dictionary.is_empty() => {
                let token = dictionary[rng.below(dictionary.len() as u64) as usize];
                data.splice(at..at, token.bytes());
            }
            3 if !data.is_empty() => {
                let end = (at + 1 + rng.below(16) as usize).min(data.len());
                data.drain(at.min(end)..end);
            }
            4 if !data.is_empty() => {
                let start = rng.below(len) as usize;
                let end = (start + 1 + rng.below(32) as usize).min(data.len());
                let piece = data[start..end].to_vec();
                data.splice(at..at, piece);
            }
            5 => data.truncate(at),
            6 => {
                let digits = [
                    "0",
                    "-1",
                    "4294967295",
                    "4294967296",
                    "18446744073709551615",
                    "9223372036854775808",
                    "1e999",
                    "-0",
                ];
                let d = digits[rng.below(digits.len() as u64) as usize];
                data.splice(at..at, d.bytes());
            }
            _ => data.insert(at.min(data.len()), rng.byte()),
        }
    }
    data
}

/// Reads structured values from raw bytes; past the end every read is zero, so any input maps
/// to some value.
pub struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, at: 0 }
    }

    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// Small numbers mostly, and the edges of `u32` sometimes.
    pub fn u32(&mut self) -> u32 {
        match self.u8() % 8 {
            0 => u32::MAX,
            1 => u32::MAX - u32::from(self.u8()),
            2 => u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()]),
            3 => u32::from(self.u8()) * 100,
            _ => u32::from(self.u8()),
        }
    }

    /// `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        usize::from(self.u8()) % n.max(1)
    }
}
