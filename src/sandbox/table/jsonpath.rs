//! The subset of kubectl's JSONPath that CRD printer columns use: fields
//! (`.status.phase`, `['app.kubernetes.io/name']`, `.a\.b`), indexes (`[0]`, `[-1]`),
//! wildcards (`[*]`, `.*`) and filters (`[?(@.type=="Ready")]`, `!=`, `<`, `>`,
//! `<=`, `>=`, or a bare `[?(@.ready)]` for presence). Recursive descent, unions and
//! slices are left out: no printer column in the sandbox's CRDs needs them.

use serde_json::Value;

/// A parsed path.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath(Vec<Step>);

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    All,
    Filter(Filter),
}

#[derive(Clone, Debug, PartialEq)]
struct Filter {
    /// The path under `@`.
    path: JsonPath,
    /// The comparison, or `None` to test presence.
    compare: Option<(Op, Value)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl JsonPath {
    /// Parses a path with or without its surrounding `{}`; `None` when it is outside
    /// the subset.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        let mut parser = Parser {
            chars: text.chars().collect(),
            at: 0,
        };
        let path = parser.path(false)?;
        (parser.at == parser.chars.len()).then_some(path)
    }

    /// Every value the path selects, in document order.
    pub fn find<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![root];
        for step in &self.0 {
            current = current
                .into_iter()
                .flat_map(|value| step.apply(value))
                .collect();
        }
        current
    }
}

impl Step {
    fn apply<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        match (self, value) {
            (Step::Field(name), Value::Object(map)) => map.get(name).into_iter().collect(),
            (Step::Index(index), Value::Array(list)) => {
                let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
                let at = if *index < 0 { len + index } else { *index };
                usize::try_from(at)
                    .ok()
                    .and_then(|i| list.get(i))
                    .into_iter()
                    .collect()
            }
            (Step::All, Value::Array(list)) => list.iter().collect(),
            (Step::All, Value::Object(map)) => map.values().collect(),
            (Step::Filter(filter), Value::Array(list)) => {
                list.iter().filter(|item| filter.holds(item)).collect()
            }
            _ => Vec::new(),
        }
    }
}

impl Filter {
    fn holds(&self, item: &Value) -> bool {
        let found = self.path.find(item);
        let Some((op, literal)) = &self.compare else {
            return !found.is_empty();
        };
        found
            .first()
            .is_some_and(|value| compare(value, *op, literal))
    }
}

fn compare(left: &Value, op: Op, right: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering = match (left, right) {
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::Bool(a), Value::Bool(b)) if matches!(op, Op::Eq | Op::Ne) => Some(a.cmp(b)),
        _ => None,
    };
    match (op, ordering) {
        (Op::Ne, None) => true,
        (_, None) => false,
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, Some(o)) => o != Ordering::Equal,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, expected: &str) -> bool {
        let matches = expected
            .chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.at + i) == Some(&c));
        if matches {
            self.at += expected.chars().count();
        }
        matches
    }

    /// Steps up to the end, or (inside a filter) up to a comparison or `)`.
    fn path(&mut self, in_filter: bool) -> Option<JsonPath> {
        let mut steps = Vec::new();
        // `$` and `@` name the root; the path may also start with a bare field.
        if !self.eat("$") && !in_filter && !matches!(self.peek(), Some('.' | '[') | None) {
            steps.push(Step::Field(self.name()?));
        }
        loop {
            match self.peek() {
                None => break,
                Some('.') => {
                    self.at += 1;
                    if self.eat("*") {
                        steps.push(Step::All);
                    } else {
                        steps.push(Step::Field(self.name()?));
                    }
                }
                Some('[') => {
                    self.at += 1;
                    steps.push(self.bracket()?);
                }
                Some(_) if in_filter => break,
                Some(_) => return None,
            }
        }
        Some(JsonPath(steps))
    }

    /// A field name up to the next unescaped `.` or `[` (or, in a filter, an
    /// operator or `)`).
    fn name(&mut self) -> Option<String> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            match c {
                '\\' => {
                    self.at += 1;
                    name.push(self.peek()?);
                }
                '.' | '[' | ']' | ')' | '=' | '!' | '<' | '>' | ' ' | '{' | '}' => break,
                c => name.push(c),
            }
            self.at += 1;
        }
        (!name.is_empty()).then_some(name)
    }

    /// What follows a `[`, through its `]`.
    fn bracket(&mut self) -> Option<Step> {
        let step = if self.eat("*") {
            Step::All
        } else if self.eat("?(") {
            let filter = self.filter()?;
            if !self.eat(")") {
                return None;
            }
            Step::Filter(filter)
        } else if let Some(quote @ ('\'' | '"')) = self.peek() {
            self.at += 1;
            Step::Field(self.quoted(quote)?)
        } else {
            let start = self.at;
            while self.peek().is_some_and(|c| c == '-' || c.is_ascii_digit()) {
                self.at += 1;
            }
            let digits: String = self.chars[start..self.at].iter().collect();
            Step::Index(digits.parse().ok()?)
        };
        self.eat("]").then_some(step)
    }

    fn filter(&mut self) -> Option<Filter> {
        self.skip_spaces();
        if !self.eat("@") {
            return None;
        }
        let path = self.path(true)?;
        self.skip_spaces();
        let op = [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find(|(text, _)| self.eat(text))
        .map(|(_, op)| op);
        let compare = match op {
            Some(op) => {
                self.skip_spaces();
                Some((op, self.literal()?))
            }
            None => None,
        };
        self.skip_spaces();
        Some(Filter { path, compare })
    }

    fn literal(&mut self) -> Option<Value> {
        if let Some(quote @ ('\'' | '"')) = self.peek() {
            self.at += 1;
            return self.quoted(quote).map(Value::String);
        }
        let start = self.at;
        while self.peek().is_some_and(|c| c != ')' && c != ' ') {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        serde_json::from_str::<Value>(&text)
            .ok()
            .filter(|v| v.is_number() || v.is_boolean())
    }

    /// A quoted string after its opening quote, through the closing one.
    fn quoted(&mut self, quote: char) -> Option<String> {
        let mut text = String::new();
        loop {
            match self.peek()? {
                '\\' => {
                    self.at += 1;
                    text.push(self.peek()?);
                }
                c if c == quote => {
                    self.at += 1;
                    return Some(text);
                }
                c => text.push(c),
            }
            self.at += 1;
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(' ') {
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn find(path: &str, value: &Value) -> Vec<Value> {
        JsonPath::parse(path)
            .unwrap_or_else(|| panic!("{path} should parse"))
            .find(value)
            .into_iter()
            .cloned()
            .collect()
    }

    #[test]
    fn selects_fields_indexes_wildcards_and_filters() {
        let object = json!({
            "metadata": {"labels": {"app.kubernetes.io/name": "shop"}},
            "spec": {"replicas": 3, "source": {"repoURL": "https://git.example/shop"}},
            "status": {
                "conditions": [
                    {"type": "Synced", "status": "True", "order": 1},
                    {"type": "Ready", "status": "False", "order": 2, "ready": true},
                ],
                "phase": "Running",
            },
        });
        let cases: &[(&str, Value)] = &[
            (".spec.replicas", json!([3])),
            (
                "{.spec.source.repoURL}",
                json!(["https://git.example/shop"]),
            ),
            (".status.conditions[0].type", json!(["Synced"])),
            (".status.conditions[-1].type", json!(["Ready"])),
            (".status.conditions[*].type", json!(["Synced", "Ready"])),
            (
                r#".status.conditions[?(@.type=="Ready")].status"#,
                json!(["False"]),
            ),
            (
                ".status.conditions[?(@.type != 'Ready')].status",
                json!(["True"]),
            ),
            (".status.conditions[?(@.order > 1)].type", json!(["Ready"])),
            (".status.conditions[?(@.order<=1)].type", json!(["Synced"])),
            (".status.conditions[?(@.missing)].type", json!([])),
            (
                ".metadata.labels['app.kubernetes.io/name']",
                json!(["shop"]),
            ),
            (
                r".metadata.labels.app\.kubernetes\.io/name",
                json!(["shop"]),
            ),
            ("$.status.phase", json!(["Running"])),
            (".status.nothing.deeper", json!([])),
            (".status.conditions[5]", json!([])),
            (".spec.source.*", json!(["https://git.example/shop"])),
            (".status.conditions[?(@.order >= 2)].type", json!(["Ready"])),
            (".status.conditions[?(@.order < 2)].type", json!(["Synced"])),
            (
                ".status.conditions[?(@.ready == true)].type",
                json!(["Ready"]),
            ),
            // A value of another type is never equal, so always different.
            (
                ".status.conditions[?(@.order != 'x')].type",
                json!(["Synced", "Ready"]),
            ),
            (".status.conditions[?(@.order == 'x')].type", json!([])),
            (r#".metadata.labels["a\"b"]"#, json!([])),
            ("status.phase", json!(["Running"])),
        ];
        for (path, want) in cases {
            let got = Value::Array(find(path, &object));
            assert_eq!(&got, want, "{path}");
        }
    }

    #[test]
    fn rejects_what_it_does_not_understand() {
        for path in [
            ".a[",
            ".a[?(@.b==)]",
            ".a[1:2]",
            ".a..b",
            ".a[?(b)]",
            "{.a",
            ".a[?(@.b)",
            ".a b",
            ".a['b",
        ] {
            assert_eq!(JsonPath::parse(path), None, "{path}");
        }
    }
}
