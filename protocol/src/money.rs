//! Money: ISO 4217 currencies with their minor-unit exponent, and amounts held as integer
//! minor units. Amounts cross every boundary as decimal strings ("12.50"); they are never `f64`.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Currencies this project accepts, with the number of decimals PingPong allows for each
/// (reference §4.1.1, "G-ccy"). Sorted by code.
const CURRENCIES: &[(&str, u8)] = &[
    ("AUD", 2),
    ("BHD", 3),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MOP", 2),
    ("MYR", 2),
    ("NZD", 2),
    ("SGD", 2),
    ("THB", 2),
    ("USD", 2),
    ("VND", 0),
];

/// The amount rule, the one every part applies (proxy, browser library, sandbox, and the
/// OpenAPI document's `Amount` pattern `^[0-9]{1,12}(\.[0-9]{1,3})?$`): an amount is written
/// with at most `MAX_AMOUNT_DIGITS` digits before the decimal point and at most the
/// currency's exponent after it, and is greater than zero. So the largest amount is just
/// under 10^12 major units: `"999999999999.99"` USD, `"999999999999.999"` KWD,
/// `"999999999999"` JPY. (PingPong types `amount` as `string(12)`; the twelve are read as
/// the integer digits, which every currency's largest amount then shares.)
pub const MAX_AMOUNT_DIGITS: usize = 12;

/// The longest amount accepted on the wire from PingPong, which pads to 6 decimals.
pub const MAX_WIRE_AMOUNT_LEN: usize = 24;

/// An ISO 4217 currency known to this project, with its minor-unit exponent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency(u8);

impl Currency {
    /// Looks up an upper-case ISO 4217 code such as `"USD"`.
    ///
    /// Fails with [`AmountError::UnknownCurrency`] for anything else (lower case included):
    /// ask the user for one of [`Currency::all`].
    pub fn from_code(code: &str) -> Result<Currency, AmountError> {
        CURRENCIES
            .binary_search_by(|(c, _)| (*c).cmp(code))
            .map(|i| Currency(i as u8))
            .map_err(|_| AmountError::UnknownCurrency)
    }

    /// The three-letter code, e.g. `"USD"`.
    pub fn code(self) -> &'static str {
        CURRENCIES[self.0 as usize].0
    }

    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    pub fn exponent(self) -> u8 {
        CURRENCIES[self.0 as usize].1
    }

    /// Every supported currency, sorted by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        (0..CURRENCIES.len()).map(|i| Currency(i as u8))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// Why an amount or currency was refused. Each variant is a distinct user mistake;
/// the message says what to type instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// Nothing was given.
    Empty,
    /// A minus sign: amounts are always positive; refunds are separate calls.
    Negative,
    /// The amount is zero.
    Zero,
    /// Not a plain decimal number (letters, spaces, several dots, a leading `+` or `.`).
    NotANumber,
    /// Scientific notation such as `1e3`: write the digits out.
    ExponentNotation,
    /// More decimals than the currency has (`allowed` is its exponent).
    TooManyDecimals {
        /// Decimals the currency allows.
        allowed: u8,
    },
    /// More than [`MAX_AMOUNT_DIGITS`] digits before the decimal point (10^12 major units
    /// or more).
    TooLarge,
    /// Longer than the allowed number of characters (amounts read from PingPong).
    TooLong {
        /// The limit in characters.
        max: usize,
    },
    /// The currency code is not one this project supports.
    UnknownCurrency,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => f.write_str("amount is empty"),
            AmountError::Negative => f.write_str("amount must not be negative"),
            AmountError::Zero => f.write_str("amount must be greater than zero"),
            AmountError::NotANumber => {
                f.write_str("amount must be a plain decimal number such as 12.50")
            }
            AmountError::ExponentNotation => {
                f.write_str("amount must not use exponent notation; write the digits out")
            }
            AmountError::TooManyDecimals { allowed } => {
                write!(
                    f,
                    "amount has more than {allowed} decimals for this currency"
                )
            }
            AmountError::TooLarge => {
                f.write_str("amount has more than 12 digits before the decimal point")
            }
            AmountError::TooLong { max } => write!(f, "amount is longer than {max} characters"),
            AmountError::UnknownCurrency => f.write_str("currency is not supported"),
        }
    }
}

impl std::error::Error for AmountError {}

/// A positive amount of money: integer minor units of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    minor: u64,
    currency: Currency,
}

impl Money {
    /// An amount from minor units (cents for USD, yen for JPY). Zero is allowed here, for sums.
    pub fn from_minor(minor: u64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Parses what a register typed, by the amount rule ([`MAX_AMOUNT_DIGITS`]): digits
    /// (at most 12 before the point), optionally a dot and at most the currency's exponent
    /// of decimals, greater than zero.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, AmountError> {
        parse_decimal(text, currency, usize::MAX, MAX_AMOUNT_DIGITS, false)
    }

    /// Whether the amount keeps to the amount rule's bound: below 10^12 major units. For
    /// amounts read leniently from the wire ([`Money::parse_wire`]), as the sandbox does.
    pub fn within_rule(self) -> bool {
        let limit = 10u64.pow(MAX_AMOUNT_DIGITS as u32 + self.currency.exponent() as u32);
        self.minor < limit
    }

    /// Parses an amount received from PingPong, which may pad with zeros beyond the
    /// currency's exponent (`"100.000000"`). Non-zero digits beyond the exponent are refused.
    ///
    /// The value is bounded too: its 6-decimal form (what PingPong writes back) must itself
    /// fit in [`MAX_WIRE_AMOUNT_LEN`], so every amount read here can be echoed and read again.
    pub fn parse_wire(text: &str, currency: Currency) -> Result<Money, AmountError> {
        let money = parse_decimal(text, currency, MAX_WIRE_AMOUNT_LEN, usize::MAX, true)?;
        if money.to_decimal_with(6).len() > MAX_WIRE_AMOUNT_LEN {
            return Err(AmountError::TooLong {
                max: MAX_WIRE_AMOUNT_LEN,
            });
        }
        Ok(money)
    }

    /// Minor units.
    pub fn minor(self) -> u64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// `self + other`, `None` on overflow or a currency mismatch.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency).then_some(())?;
        Some(Money::from_minor(
            self.minor.checked_add(other.minor)?,
            self.currency,
        ))
    }

    /// `self - other`, `None` when negative or on a currency mismatch.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        (self.currency == other.currency).then_some(())?;
        Some(Money::from_minor(
            self.minor.checked_sub(other.minor)?,
            self.currency,
        ))
    }

    /// The decimal string with exactly the currency's exponent: `"12.50"`, `"1000"` (JPY).
    pub fn to_decimal(self) -> String {
        self.to_decimal_with(self.currency.exponent())
    }

    /// The decimal string with `decimals` places (at least the exponent): PingPong answers
    /// with 6, e.g. `"12.500000"`.
    pub fn to_decimal_with(self, decimals: u8) -> String {
        let exp = self.currency.exponent() as u32;
        let scale = 10u64.pow(exp);
        let mut out = (self.minor / scale).to_string();
        let decimals = decimals.max(exp as u8) as usize;
        if decimals > 0 {
            out.push('.');
            let frac = (self.minor % scale).to_string();
            for _ in frac.len()..exp as usize {
                out.push('0');
            }
            if exp > 0 {
                out.push_str(&frac);
            }
            for _ in exp as usize..decimals {
                out.push('0');
            }
        }
        out
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal(), self.currency)
    }
}

fn parse_decimal(
    text: &str,
    currency: Currency,
    max_len: usize,
    max_int_digits: usize,
    zero_padding: bool,
) -> Result<Money, AmountError> {
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    if text.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let numeric_with_exponent = text.contains(['e', 'E'])
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, 'e' | 'E' | '.' | '+' | '-'));
    if numeric_with_exponent {
        return Err(AmountError::ExponentNotation);
    }
    if text.len() > max_len {
        return Err(AmountError::TooLong { max: max_len });
    }
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(AmountError::NotANumber);
    }
    if int.len() > max_int_digits {
        return Err(AmountError::TooLarge);
    }
    let exp = currency.exponent() as usize;
    // Bytes, not `str` slices: a `str` split pulls the char-boundary panic (with its
    // formatting, some 5 kB) into the browser's wasm; the text is ASCII digits here anyway.
    let mut frac = frac.unwrap_or("").as_bytes();
    if frac.len() > exp {
        let (kept, extra) = frac.split_at(exp);
        if !zero_padding || extra.iter().any(|&b| b != b'0') {
            return Err(AmountError::TooManyDecimals {
                allowed: currency.exponent(),
            });
        }
        frac = kept;
    }
    let too_long = AmountError::TooLong { max: max_len };
    let mut minor: u64 = 0;
    for b in int.bytes().chain(frac.iter().copied()) {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add((b - b'0') as u64))
            .ok_or(too_long)?;
    }
    for _ in frac.len()..exp {
        minor = minor.checked_mul(10).ok_or(too_long)?;
    }
    if minor == 0 {
        return Err(AmountError::Zero);
    }
    Ok(Money::from_minor(minor, currency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ccy(c: &str) -> Currency {
        Currency::from_code(c).unwrap()
    }

    #[test]
    fn table_is_sorted_and_required_currencies_exist() {
        assert!(CURRENCIES.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, exp) in [
            ("CNY", 2),
            ("USD", 2),
            ("EUR", 2),
            ("HKD", 2),
            ("GBP", 2),
            ("SGD", 2),
            ("JPY", 0),
            ("KRW", 0),
        ] {
            assert_eq!(ccy(code).exponent(), exp, "{code}");
            assert_eq!(ccy(code).code(), code);
        }
        assert_eq!(
            Currency::from_code("usd"),
            Err(AmountError::UnknownCurrency)
        );
        assert_eq!(
            Currency::from_code("XXX"),
            Err(AmountError::UnknownCurrency)
        );
    }

    #[test]
    fn parses_valid_amounts() {
        assert_eq!(Money::parse("12.50", ccy("USD")).unwrap().minor(), 1250);
        assert_eq!(Money::parse("12.5", ccy("USD")).unwrap().minor(), 1250);
        assert_eq!(Money::parse("12", ccy("USD")).unwrap().minor(), 1200);
        assert_eq!(Money::parse("0.01", ccy("CNY")).unwrap().minor(), 1);
        assert_eq!(Money::parse("1000", ccy("JPY")).unwrap().minor(), 1000);
        assert_eq!(Money::parse("1.005", ccy("KWD")).unwrap().minor(), 1005);
    }

    #[test]
    fn refuses_bad_amounts_with_distinct_errors() {
        let usd = ccy("USD");
        let cases = [
            ("", AmountError::Empty),
            ("-1.00", AmountError::Negative),
            ("-0", AmountError::Negative),
            ("0", AmountError::Zero),
            ("0.00", AmountError::Zero),
            ("abc", AmountError::NotANumber),
            ("1.2.3", AmountError::NotANumber),
            ("+5", AmountError::NotANumber),
            (".5", AmountError::NotANumber),
            ("5.", AmountError::NotANumber),
            (" 5", AmountError::NotANumber),
            ("NaN", AmountError::NotANumber),
            ("1e3", AmountError::ExponentNotation),
            ("1.5E+2", AmountError::ExponentNotation),
            ("1.234", AmountError::TooManyDecimals { allowed: 2 }),
            ("12.500", AmountError::TooManyDecimals { allowed: 2 }),
            ("1234567890123", AmountError::TooLarge),
            ("1000000000000.00", AmountError::TooLarge),
            ("0000000000001", AmountError::TooLarge),
        ];
        for (text, want) in cases {
            assert_eq!(Money::parse(text, usd), Err(want), "{text:?}");
        }
        assert_eq!(
            Money::parse(&"9".repeat(10_000), usd),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            Money::parse("100.5", ccy("JPY")),
            Err(AmountError::TooManyDecimals { allowed: 0 })
        );
    }

    #[test]
    fn the_amount_rule_at_both_edges() {
        // The largest amount of each exponent is accepted; one more digit is refused.
        for (code, largest, over) in [
            ("USD", "999999999999.99", "1000000000000"),
            ("KWD", "999999999999.999", "1000000000000.000"),
            ("JPY", "999999999999", "9999999999999"),
        ] {
            let c = ccy(code);
            let money = Money::parse(largest, c).unwrap();
            assert_eq!(money.to_decimal(), largest);
            assert!(money.within_rule());
            assert_eq!(Money::parse(over, c), Err(AmountError::TooLarge), "{over}");
            let beyond = Money::from_minor(money.minor() + 1, c);
            assert!(!beyond.within_rule(), "{code}");
            // What PingPong echoes (6 decimals) reads back.
            assert_eq!(Money::parse_wire(&money.to_decimal_with(6), c), Ok(money));
        }
        assert!(Money::parse("000000000001.5", ccy("USD")).is_ok());
        assert_eq!(
            Money::parse("1.0001", ccy("KWD")),
            Err(AmountError::TooManyDecimals { allowed: 3 })
        );
    }

    #[test]
    fn wire_parsing_tolerates_zero_padding_only() {
        let usd = ccy("USD");
        assert_eq!(Money::parse_wire("100.000000", usd).unwrap().minor(), 10000);
        assert_eq!(Money::parse_wire("0.020000", usd).unwrap().minor(), 2);
        assert_eq!(
            Money::parse_wire("0.021000", usd),
            Err(AmountError::TooManyDecimals { allowed: 2 })
        );
        // Found by fuzzing: 18 digits were read, but not their 6-decimal echo (25 characters).
        assert_eq!(
            Money::parse_wire("100000000000000000", usd),
            Err(AmountError::TooLong { max: 24 })
        );
        let largest = Money::parse_wire("99999999999999999", usd).unwrap();
        assert_eq!(
            Money::parse_wire(&largest.to_decimal_with(6), usd),
            Ok(largest)
        );
        assert_eq!(
            Money::parse_wire("1000.000000", ccy("JPY"))
                .unwrap()
                .minor(),
            1000
        );
    }

    #[test]
    fn formats_with_exponent_and_padding() {
        let usd = ccy("USD");
        assert_eq!(Money::from_minor(1250, usd).to_decimal(), "12.50");
        assert_eq!(Money::from_minor(5, usd).to_decimal(), "0.05");
        assert_eq!(Money::from_minor(0, usd).to_decimal(), "0.00");
        assert_eq!(Money::from_minor(1000, ccy("JPY")).to_decimal(), "1000");
        assert_eq!(
            Money::from_minor(1000, ccy("JPY")).to_decimal_with(6),
            "1000.000000"
        );
        assert_eq!(Money::from_minor(1250, usd).to_decimal_with(6), "12.500000");
        assert_eq!(Money::from_minor(1, ccy("KWD")).to_decimal(), "0.001");
        assert_eq!(Money::from_minor(1250, usd).to_string(), "12.50 USD");
    }

    #[test]
    fn arithmetic_checks_currency_and_sign() {
        let usd = ccy("USD");
        let a = Money::from_minor(500, usd);
        let b = Money::from_minor(200, usd);
        assert_eq!(a.checked_sub(b).unwrap().minor(), 300);
        assert_eq!(b.checked_sub(a), None);
        assert_eq!(a.checked_add(b).unwrap().minor(), 700);
        assert_eq!(a.checked_add(Money::from_minor(1, ccy("CNY"))), None);
    }

    proptest! {
        #[test]
        fn round_trips_through_decimal_text(minor in 1u64..=99_999_999_999, i in 0usize..CURRENCIES.len()) {
            let currency = Currency(i as u8);
            let money = Money::from_minor(minor, currency);
            let text = money.to_decimal();
            prop_assume!(money.within_rule());
            prop_assert_eq!(Money::parse(&text, currency), Ok(money));
            prop_assert_eq!(Money::parse_wire(&money.to_decimal_with(6), currency), Ok(money));
        }

        #[test]
        fn never_panics_on_any_text(text in "\\PC{0,30}", i in 0usize..CURRENCIES.len()) {
            let _ = Money::parse(&text, Currency(i as u8));
            let _ = Money::parse_wire(&text, Currency(i as u8));
        }
    }
}
