//! Exact decimals packed into a few bytes each, for rows kept across a
//! whole build.
//!
//! The pages across periods keep every period's scored figures until the
//! last unit page is written: at 10,000 periods of 60 units, 600,000 rows
//! of seven or so figures. A [`Decimal`] takes 16 bytes however small it
//! is; the figures are mostly counts under a few hundred and points with a
//! digit or two, which pack into one to three bytes. Packing is lossless:
//! every value comes back with its sign, mantissa and scale (1.0 stays
//! 1.0), so a figure prints exactly as it was scored. A zero comes back
//! positive, as rust_decimal makes every zero it builds.

use rust_decimal::Decimal;

/// The low bits of a packed value that hold the scale (0 to 28).
const SCALE_BITS: u32 = 5;
/// The bit above the scale that holds the sign.
const SIGN_BIT: u32 = SCALE_BITS;
/// How far the mantissa is shifted: above the scale and the sign.
const MANTISSA_SHIFT: u32 = SCALE_BITS + 1;

/// A sequence of exact decimals, each stored as one LEB128 number: the
/// 96-bit mantissa's magnitude, then the sign bit, then the five bits of
/// the scale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PackedDecimals(Box<[u8]>);

impl PackedDecimals {
    /// The values in order.
    pub fn iter(&self) -> Unpacked<'_> {
        Unpacked { bytes: &self.0 }
    }

    /// The value at `index`, counting from 0; reads the values before it.
    pub fn get(&self, index: usize) -> Option<Decimal> {
        self.iter().nth(index)
    }
}

impl FromIterator<Decimal> for PackedDecimals {
    fn from_iter<I: IntoIterator<Item = Decimal>>(values: I) -> Self {
        let mut bytes = Vec::new();
        for value in values {
            write_leb128(&mut bytes, pack(value));
        }
        PackedDecimals(bytes.into_boxed_slice())
    }
}

/// The values of a [`PackedDecimals`], in order.
pub struct Unpacked<'a> {
    bytes: &'a [u8],
}

impl Iterator for Unpacked<'_> {
    type Item = Decimal;

    fn next(&mut self) -> Option<Decimal> {
        let (packed, rest) = read_leb128(self.bytes)?;
        self.bytes = rest;
        unpack(packed)
    }
}

fn pack(value: Decimal) -> u128 {
    // The magnitude of a Decimal's mantissa has at most 96 bits, so the
    // shifted value fits with room to spare.
    let magnitude = value.mantissa().unsigned_abs();
    (magnitude << MANTISSA_SHIFT)
        | (u128::from(value.is_sign_negative()) << SIGN_BIT)
        | u128::from(value.scale())
}

/// The decimal [`pack`] packed; `None` only for a number no packing made.
fn unpack(packed: u128) -> Option<Decimal> {
    let magnitude = i128::try_from(packed >> MANTISSA_SHIFT).ok()?;
    let negative = (packed >> SIGN_BIT) & 1 == 1;
    let scale = u32::try_from(packed & ((1 << SCALE_BITS) - 1)).ok()?;
    let mantissa = if negative { -magnitude } else { magnitude };
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

fn write_leb128(bytes: &mut Vec<u8>, mut value: u128) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(low);
            return;
        }
        bytes.push(low | 0x80);
    }
}

/// The number at the start of `bytes` and the bytes after it; `None` at
/// the end. Only [`write_leb128`] writes these bytes, so a number never
/// runs past the end or past 128 bits.
fn read_leb128(bytes: &[u8]) -> Option<(u128, &[u8])> {
    let mut value = 0u128;
    for (index, byte) in bytes.iter().enumerate() {
        let shift = 7 * u32::try_from(index).ok()?;
        value |= u128::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some((value, bytes.get(index + 1..)?));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::PackedDecimals;

    /// Equal as decimals is not enough: 1.0 and 1 print differently.
    fn same(a: Decimal, b: Decimal) -> bool {
        a.serialize() == b.serialize()
    }

    #[test]
    fn values_come_back_with_their_scale_and_sign() {
        let values: Vec<Decimal> = ["0", "-0", "1", "1.0", "0.5", "-2.25", "100000", "-0.000"]
            .iter()
            .map(|text| Decimal::from_str(text).expect("a decimal"))
            .chain([Decimal::MAX, Decimal::MIN, Decimal::new(1, 28)])
            .collect();
        let packed: PackedDecimals = values.iter().copied().collect();
        let unpacked: Vec<Decimal> = packed.iter().collect();
        assert_eq!(unpacked.len(), values.len());
        for (back, value) in unpacked.iter().zip(&values) {
            assert!(same(*back, *value), "{value} came back as {back}");
        }
        assert_eq!(
            packed.get(3).map(|value| value.to_string()),
            Some("1.0".into())
        );
        assert_eq!(packed.get(values.len()), None);
    }

    #[test]
    fn small_figures_take_few_bytes() {
        let bytes = |value: Decimal| std::iter::once(value).collect::<PackedDecimals>().0.len();
        assert_eq!(bytes(Decimal::new(1, 0)), 1);
        assert_eq!(bytes(Decimal::new(255, 0)), 2);
        assert_eq!(bytes(Decimal::new(15, 1)), 2);
        assert_eq!(bytes(Decimal::new(999, 0)), 3);
    }

    proptest! {
        #[test]
        fn any_decimals_round_trip(
            parts in proptest::collection::vec(
                (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28),
                0..12,
            )
        ) {
            let values: Vec<Decimal> = parts
                .iter()
                .map(|&(lo, mid, hi, negative, scale)| Decimal::from_parts(lo, mid, hi, negative, scale))
                .collect();
            let packed: PackedDecimals = values.iter().copied().collect();
            let unpacked: Vec<Decimal> = packed.iter().collect();
            prop_assert_eq!(unpacked.len(), values.len());
            for (back, value) in unpacked.iter().zip(&values) {
                prop_assert!(same(*back, *value));
            }
        }
    }
}
