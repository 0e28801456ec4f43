//! The canonical spelling of resource quantities (`500m`, `1Gi`, `2k`).
//!
//! The API server parses every `resource.Quantity` and writes it back in its own
//! spelling, so `cpu: 0.5` in Git reads back as `cpu: 500m`, `memory: 1024Mi` as
//! `1Gi` and `cpu: 1` (a number) as `"1"`: one of the commonest false drifts. This
//! reproduces apimachinery's `ParseQuantity` (round up to nano) and
//! `CanonicalizeBytes`, plus the round-up to milli that `SetDefaults_ResourceList`
//! applies to resource lists. Text it cannot parse, or numbers too large for 128
//! bits, are left exactly as written: refusing them is validation's job.

use serde_json::Value;

use super::fields::Object;

/// The smallest unit any quantity keeps (apimachinery's `Nano` scale).
const NANO: i32 = -9;
/// The smallest unit a resource list keeps (`SetDefaults_ResourceList`).
const MILLI: i32 = -3;
/// The largest binary suffix, `Ei` = 1024^6.
const MAX_BINARY_POWER: u32 = 6;

/// Rewrites a single quantity (e.g. `emptyDir.sizeLimit`, an HPA target value).
pub(super) fn canonicalize(value: &mut Value) {
    rewrite(value, NANO);
}

/// Rewrites every quantity of a resource list (`limits`, `requests`, `capacity`).
pub(super) fn canonicalize_list(list: &mut Object) {
    for value in list.values_mut() {
        rewrite(value, MILLI);
    }
}

fn rewrite(value: &mut Value, smallest_exponent: i32) {
    let written = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return,
    };
    let Some(mut quantity) = Quantity::parse(&written) else {
        return;
    };
    quantity.round_up(smallest_exponent);
    if let Some(canonical) = quantity.canonical() {
        *value = Value::String(canonical);
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    DecimalSi,
    BinarySi,
    DecimalExponent,
}

/// `(-1)^negative * mantissa * 10^exponent`, remembering which suffix family the
/// user wrote, since that family decides the output spelling.
#[derive(Debug)]
struct Quantity {
    negative: bool,
    mantissa: u128,
    exponent: i32,
    format: Format,
}

impl Quantity {
    /// `<sign>? <digits>[.<digits>] <suffix>` with suffix one of the decimal SI
    /// letters, a binary `Ki`..`Ei`, or `e<int>`.
    fn parse(written: &str) -> Option<Self> {
        let s = written.trim();
        let (negative, unsigned) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let number_end = unsigned
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(unsigned.len());
        let (number, suffix) = unsigned.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return None;
        }
        let mut mantissa: u128 = 0;
        for digit in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(u128::from(digit - b'0'))?;
        }
        let mut exponent = -i32::try_from(fraction.len()).ok()?;
        let (format, power_of_ten, power_of_1024) = suffix_meaning(suffix)?;
        exponent = exponent.checked_add(power_of_ten)?;
        mantissa = mantissa.checked_mul(1024u128.checked_pow(power_of_1024)?)?;
        Some(Quantity {
            negative: negative && mantissa != 0,
            mantissa,
            exponent,
            format,
        })
    }

    /// Rounds away from zero so that a tiny non-zero request never becomes zero.
    fn round_up(&mut self, smallest_exponent: i32) {
        if self.mantissa == 0 || self.exponent >= smallest_exponent {
            return;
        }
        let shift = smallest_exponent.abs_diff(self.exponent);
        self.mantissa = match 10u128.checked_pow(shift) {
            Some(divisor) => {
                self.mantissa / divisor + u128::from(!self.mantissa.is_multiple_of(divisor))
            }
            // Smaller than one unit at the target scale: it rounds up to one.
            None => 1,
        };
        self.exponent = smallest_exponent;
    }

    /// apimachinery's `CanonicalizeBytes`; None if the arithmetic would overflow.
    fn canonical(&self) -> Option<String> {
        if self.mantissa == 0 {
            return Some("0".to_owned());
        }
        let sign = if self.negative { "-" } else { "" };
        if self.format == Format::BinarySi {
            // Below 1024, or not a whole number, binary suffixes would need rounding,
            // so apimachinery switches to decimal.
            if let Some(whole) = self.whole_number()?
                && whole >= 1024
            {
                let (number, power) = remove_factors_of_1024(whole);
                return Some(format!("{sign}{number}{}", binary_suffix(power)));
            }
        }
        let (mut number, mut exponent) = (self.mantissa, self.exponent);
        while number % 10 == 0 {
            number /= 10;
            exponent += 1;
        }
        // Only exponents that are multiples of three have a decimal SI suffix.
        match exponent.rem_euclid(3) {
            1 => {
                number = number.checked_mul(10)?;
                exponent -= 1;
            }
            2 => {
                number = number.checked_mul(100)?;
                exponent -= 2;
            }
            _ => {}
        }
        let suffix = match (self.format, decimal_suffix(exponent)) {
            (Format::DecimalExponent, _) | (_, None) if exponent != 0 => format!("e{exponent}"),
            (_, Some(letter)) => letter.to_owned(),
            _ => String::new(),
        };
        Some(format!("{sign}{number}{suffix}"))
    }

    /// The magnitude as an integer: Some(None) when it has a fraction, None on overflow.
    fn whole_number(&self) -> Option<Option<u128>> {
        if self.exponent >= 0 {
            let scale = 10u128.checked_pow(self.exponent.unsigned_abs())?;
            return Some(Some(self.mantissa.checked_mul(scale)?));
        }
        let Some(scale) = 10u128.checked_pow(self.exponent.unsigned_abs()) else {
            // A divisor beyond u128 means a non-zero mantissa cannot divide evenly.
            return Some(None);
        };
        Some(
            self.mantissa
                .is_multiple_of(scale)
                .then_some(self.mantissa / scale),
        )
    }
}

/// What a suffix means: (format, power of ten, power of 1024).
fn suffix_meaning(suffix: &str) -> Option<(Format, i32, u32)> {
    let decimal = |power| Some((Format::DecimalSi, power, 0));
    let binary = |power| Some((Format::BinarySi, 0, power));
    match suffix {
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "" => decimal(0),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        _ => {
            let power = suffix.strip_prefix(['e', 'E'])?.parse().ok()?;
            Some((Format::DecimalExponent, power, 0))
        }
    }
}

fn decimal_suffix(exponent: i32) -> Option<&'static str> {
    Some(match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => return None,
    })
}

fn binary_suffix(power: u32) -> &'static str {
    match power {
        1 => "Ki",
        2 => "Mi",
        3 => "Gi",
        4 => "Ti",
        5 => "Pi",
        6 => "Ei",
        _ => "",
    }
}

fn remove_factors_of_1024(mut number: u128) -> (u128, u32) {
    let mut power = 0;
    while power < MAX_BINARY_POWER && number.is_multiple_of(1024) {
        number /= 1024;
        power += 1;
    }
    (number, power)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    fn single(written: Value) -> Value {
        let mut value = written;
        canonicalize(&mut value);
        value
    }

    fn listed(written: Value) -> Value {
        let mut list = Object::new();
        list.insert("q".to_owned(), written);
        canonicalize_list(&mut list);
        list.remove("q").unwrap_or(Value::Null)
    }

    #[test]
    fn canonical_spellings_match_apimachinery() {
        let table = [
            (json!("0.5"), "500m"),
            (json!(0.5), "500m"),
            (json!(1), "1"),
            (json!("1000m"), "1"),
            (json!("1500m"), "1500m"),
            (json!("1.5"), "1500m"),
            (json!("2000"), "2k"),
            (json!("10000"), "10k"),
            (json!("100"), "100"),
            (json!("1024Mi"), "1Gi"),
            (json!("1536Mi"), "1536Mi"),
            (json!("1.5Gi"), "1536Mi"),
            (json!("2048Ki"), "2Mi"),
            (json!("0.5Ki"), "512"),
            (json!("1Ki"), "1Ki"),
            (json!("1025"), "1025"),
            (json!("128M"), "128M"),
            (json!("1e3"), "1e3"),
            (json!("1E3"), "1e3"),
            (json!("12e2"), "1200"),
            (json!("1000e-3"), "1"),
            (json!("0"), "0"),
            (json!("0Gi"), "0"),
            (json!("-0"), "0"),
            (json!("-1.5"), "-1500m"),
            (json!("+2"), "2"),
            (json!(" 3 "), "3"),
            (json!(".5"), "500m"),
            (json!("5."), "5"),
            (json!("1E"), "1E"),
            (json!("100u"), "100u"),
            (json!("1n"), "1n"),
            (json!("1.5n"), "2n"),
        ];
        for (written, expected) in table {
            assert_eq!(single(written.clone()), json!(expected), "for {written}");
        }
    }

    #[test]
    fn resource_lists_round_up_to_milli() {
        assert_eq!(listed(json!("0.0001")), json!("1m"));
        assert_eq!(listed(json!("100u")), json!("1m"));
        assert_eq!(listed(json!("1.1Ki")), json!("1126400m"));
        assert_eq!(listed(json!("250m")), json!("250m"));
    }

    #[test]
    fn unparseable_text_is_left_as_written() {
        for written in [
            json!("lots"),
            json!("1.2.3"),
            json!("."),
            json!("1Qi"),
            json!(""),
            json!(true),
        ] {
            assert_eq!(single(written.clone()), written);
        }
    }

    #[test]
    fn canonical_text_is_a_fixed_point() {
        for written in ["500m", "1Gi", "1536Mi", "2k", "1e3", "1126400m", "0"] {
            assert_eq!(single(json!(written)), json!(written));
            assert_eq!(listed(json!(written)), json!(written));
        }
    }
}
