//! Decimal arithmetic that never rounds. rust_decimal's own operators
//! round a result that does not fit its 96-bit mantissa; these return
//! `None` instead, so that scoring can report the value that overflowed
//! rather than publish a number that is not the sum.

use rust_decimal::Decimal;

/// `a + b`, exactly: `None` when the sum does not fit a [`Decimal`] without
/// rounding.
pub fn exact_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale().max(b.scale());
    let sum = at_scale(a, scale)?.checked_add(at_scale(b, scale)?)?;
    from_scaled(sum, scale)
}

/// `a × b`, exactly: `None` when the product does not fit a [`Decimal`]
/// without rounding.
pub fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let product = a.mantissa().checked_mul(b.mantissa())?;
    from_scaled(product, a.scale().checked_add(b.scale())?)
}

/// `value`'s mantissa at a `scale` at least its own, where the value is
/// `mantissa / 10^scale`. rust_decimal's own operators round a result that
/// does not fit; arithmetic on the mantissas in i128 never does.
fn at_scale(value: Decimal, scale: u32) -> Option<i128> {
    let factor = 10_i128.checked_pow(scale.checked_sub(value.scale())?)?;
    value.mantissa().checked_mul(factor)
}

/// `mantissa / 10^scale` as a normalized [`Decimal`], if it fits one exactly.
fn from_scaled(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn exact_arithmetic_never_rounds() {
        assert_eq!(
            exact_mul(decimal("-0.2"), Decimal::ZERO),
            Some(Decimal::ZERO)
        );
        assert_eq!(
            exact_mul(decimal("0.25"), decimal("3")),
            Some(decimal("0.75"))
        );
        assert_eq!(
            exact_add(decimal("0.5"), decimal("-0.5")),
            Some(Decimal::ZERO)
        );
        assert_eq!(
            exact_add(decimal("0.2"), decimal("1")),
            Some(decimal("1.2"))
        );
        let largest = Decimal::MAX;
        assert_eq!(exact_add(largest, Decimal::ZERO), Some(largest));
        assert_eq!(exact_add(largest, Decimal::ONE), None);
        assert_eq!(exact_mul(largest, decimal("2")), None);
        // rust_decimal's own operators would round these to fit.
        let quarter = decimal("0.25");
        let many = decimal("4000000000000000000000000001");
        assert_eq!(quarter.checked_mul(many).map(|d| d.scale()), Some(1));
        assert_eq!(exact_mul(quarter, many), None);
        let long = decimal("1000000000000000000000000000.2");
        assert_eq!(long.checked_add(quarter).map(|d| d.scale()), Some(1));
        assert_eq!(exact_add(long, quarter), None);
        // A product that fits once its trailing zeros go is exact.
        assert_eq!(
            exact_mul(decimal("0.5"), decimal("20000000000000000000000000000")),
            Some(decimal("10000000000000000000000000000"))
        );
    }
}
