//! Resource quantities (`500m`, `0.5`, `1Gi`, `1073741824`) compared by value.
//!
//! The API server rewrites every quantity of a built-in kind into canonical form
//! (`cpu: 0.5` reads back as `500m`, `memory: 1024Mi` as `1Gi`), so comparing a
//! manifest with live text for text would report drift nobody made. This is the
//! only scalar leniency of the client-side comparison; everything else compares
//! strictly (`"80"` and `80` are different values to Kubernetes too).

use serde_json::Value;

/// Maps whose values are quantities: container `resources` (`limits`,
/// `requests`), ResourceQuota `hard`, LimitRange bounds, node `capacity` and
/// `allocatable`, pod `overhead`; plus `emptyDir.sizeLimit`.
pub(super) fn is_quantity_field(fields: &[&str]) -> bool {
    matches!(
        fields,
        [.., "sizeLimit"]
            | [
                ..,
                "limits"
                    | "requests"
                    | "hard"
                    | "capacity"
                    | "allocatable"
                    | "overhead"
                    | "default"
                    | "defaultRequest"
                    | "max"
                    | "min"
                    | "maxLimitRequestRatio",
                _,
            ]
    )
}

/// Whether two values are quantities of the same amount. Values that do not parse
/// are not equal here (the caller has already compared them as written).
pub(super) fn same(a: &Value, b: &Value) -> bool {
    match (parse_value(a), parse_value(b)) {
        (Some(x), Some(y)) => x.equals(y),
        _ => false,
    }
}

/// `mantissa × 10^exp10 × 2^exp2`, exact.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Exact {
    mantissa: i128,
    exp10: i32,
    exp2: i32,
}

impl Exact {
    fn equals(self, other: Self) -> bool {
        if self.mantissa == 0 || other.mantissa == 0 {
            return self.mantissa == other.mantissa;
        }
        // Factor out the smaller powers so both sides become integers.
        let exp10 = self.exp10.min(other.exp10);
        let exp2 = self.exp2.min(other.exp2);
        match (self.scaled(exp10, exp2), other.scaled(exp10, exp2)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }

    fn scaled(self, exp10: i32, exp2: i32) -> Option<i128> {
        let tens = 10i128.checked_pow(u32::try_from(self.exp10 - exp10).ok()?)?;
        let twos = 2i128.checked_pow(u32::try_from(self.exp2 - exp2).ok()?)?;
        self.mantissa.checked_mul(tens)?.checked_mul(twos)
    }
}

fn parse_value(value: &Value) -> Option<Exact> {
    match value {
        Value::String(text) => parse(text),
        Value::Number(number) => parse(&number.to_string()),
        _ => None,
    }
}

/// Kubernetes' quantity grammar: a signed decimal number, then a binary SI
/// suffix (`Ki` … `Ei`), a decimal SI suffix (`n` `u` `m` `k` `M` … `E`) or a
/// decimal exponent (`e3`, `E-2`).
fn parse(text: &str) -> Option<Exact> {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '+' | '-' | '.')))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(number_end);
    let (negative, unsigned) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number.strip_prefix('+').unwrap_or(number)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = [whole, fraction].concat();
    if digits.is_empty() || digits.len() > 30 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude: i128 = digits.parse().ok()?;
    let (exp10, exp2) = suffix_exponents(suffix)?;
    Some(Exact {
        mantissa: if negative { -magnitude } else { magnitude },
        exp10: exp10 - i32::try_from(fraction.len()).ok()?,
        exp2,
    })
}

fn suffix_exponents(suffix: &str) -> Option<(i32, i32)> {
    let binary = |power: i32| Some((0, power));
    let decimal = |power: i32| Some((power, 0));
    match suffix {
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
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
        _ => {
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let power: i32 = exponent.parse().ok()?;
            // Beyond any real quantity; keeps the arithmetic in range.
            (power.abs() <= 40).then_some((power, 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn canonical_forms_equal_what_users_write() {
        let equal = [
            (json!("500m"), json!("0.5")),
            (json!("500m"), json!(0.5)),
            (json!("1"), json!(1)),
            (json!("1"), json!("1000m")),
            (json!("1Gi"), json!("1024Mi")),
            (json!("1Gi"), json!("1073741824")),
            (json!("1k"), json!("1e3")),
            (json!("1.5Gi"), json!("1536Mi")),
            (json!("0"), json!("0Mi")),
            (json!("100M"), json!("100000k")),
        ];
        for (a, b) in equal {
            assert!(same(&a, &b), "{a} = {b}");
        }
        let different = [
            (json!("500m"), json!("501m")),
            (json!("1G"), json!("1Gi")),
            (json!("1"), json!("-1")),
            (json!("1Gi"), json!("lots")),
            (json!("1x"), json!("1x")),
            (json!(true), json!(true)),
        ];
        for (a, b) in different {
            assert!(!same(&a, &b), "{a} ≠ {b}");
        }
    }

    #[test]
    fn quantity_fields() {
        assert!(is_quantity_field(&[
            "spec",
            "containers",
            "resources",
            "limits",
            "cpu"
        ]));
        assert!(is_quantity_field(&["spec", "hard", "requests.memory"]));
        assert!(is_quantity_field(&[
            "spec",
            "volumes",
            "emptyDir",
            "sizeLimit"
        ]));
        assert!(!is_quantity_field(&[
            "spec",
            "containers",
            "resources",
            "limits"
        ]));
        assert!(!is_quantity_field(&["spec", "replicas"]));
    }
}
