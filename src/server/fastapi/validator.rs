//! A JSON body validated field by field as pydantic does it: every error collected, with its
//! own types and messages.

use serde_json::{Value, json};

use super::{HttpError, HttpResult, email_problem, err_item};

/// Validates a JSON object field by field, collecting every error like pydantic does.
pub struct Validator<'a> {
    body: &'a Value,
    prefix: Vec<Value>,
    pub errors: Vec<Value>,
}

impl<'a> Validator<'a> {
    /// `None` (with the error recorded) when the body is not an object.
    pub fn new(body: &'a Value) -> Self {
        let mut v = Validator {
            body,
            prefix: vec![json!("body")],
            errors: Vec::new(),
        };
        if !body.is_object() {
            v.errors.push(err_item(
                "model_attributes_type",
                &[json!("body")],
                "Input should be a valid dictionary or object to extract fields from",
                body.clone(),
                None,
            ));
        }
        v
    }

    pub fn finish(self) -> HttpResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(HttpError::Validation(self.errors))
        }
    }

    fn loc(&self, name: &str) -> Vec<Value> {
        let mut l = self.prefix.clone();
        l.push(json!(name));
        l
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.body.as_object().and_then(|m| m.get(name))
    }

    fn missing(&mut self, name: &str) {
        if self.body.is_object() {
            let loc = self.loc(name);
            self.errors.push(err_item(
                "missing",
                &loc,
                "Field required",
                self.body.clone(),
                None,
            ));
        }
    }

    fn push(&mut self, kind: &str, name: &str, msg: &str, input: &Value, ctx: Option<Value>) {
        let loc = self.loc(name);
        self.errors
            .push(err_item(kind, &loc, msg, input.clone(), ctx));
    }

    /// A required string (absent → missing; null or non-string → string_type).
    pub fn req_str(&mut self, name: &str, min_len: usize, max_len: usize) -> Option<String> {
        match self.get(name) {
            None => {
                self.missing(name);
                None
            }
            Some(v) => self.check_str(name, v, min_len, max_len),
        }
    }

    /// An optional string: absent or null → `None`.
    pub fn opt_str(&mut self, name: &str, min_len: usize, max_len: usize) -> Option<String> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check_str(name, v, min_len, max_len),
        }
    }

    /// Whether the field was sent with a non-null value.
    pub fn has(&self, name: &str) -> bool {
        !matches!(self.get(name), None | Some(Value::Null))
    }

    fn check_str(
        &mut self,
        name: &str,
        v: &Value,
        min_len: usize,
        max_len: usize,
    ) -> Option<String> {
        let Value::String(s) = v else {
            self.push(
                "string_type",
                name,
                "Input should be a valid string",
                v,
                None,
            );
            return None;
        };
        let n = s.chars().count();
        if n < min_len {
            let unit = if min_len == 1 {
                "character"
            } else {
                "characters"
            };
            self.push(
                "string_too_short",
                name,
                &format!("String should have at least {min_len} {unit}"),
                v,
                Some(json!({ "min_length": min_len })),
            );
            return None;
        }
        if n > max_len {
            self.push(
                "string_too_long",
                name,
                &format!("String should have at most {max_len} characters"),
                v,
                Some(json!({ "max_length": max_len })),
            );
            return None;
        }
        Some(s.clone())
    }

    pub fn req_int(&mut self, name: &str, ge: i64, le: i64) -> Option<i64> {
        match self.get(name) {
            None => {
                self.missing(name);
                None
            }
            Some(v) => self.check_int(name, v, ge, le),
        }
    }

    pub fn opt_int(&mut self, name: &str, ge: i64, le: i64) -> Option<i64> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check_int(name, v, ge, le),
        }
    }

    fn check_int(&mut self, name: &str, v: &Value, ge: i64, le: i64) -> Option<i64> {
        let n = match v {
            Value::Number(n) => match n.as_i64() {
                Some(i) => i,
                None => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => f as i64,
                    Some(_) => {
                        self.push(
                            "int_from_float",
                            name,
                            "Input should be a valid integer, got a number with a fractional part",
                            v,
                            None,
                        );
                        return None;
                    }
                    None => {
                        self.push("int_type", name, "Input should be a valid integer", v, None);
                        return None;
                    }
                },
            },
            // pydantic's lax mode accepts numeric strings.
            Value::String(s) => match s.trim().parse::<i64>() {
                Ok(i) => i,
                Err(_) => {
                    self.push(
                        "int_parsing",
                        name,
                        "Input should be a valid integer, unable to parse string as an integer",
                        v,
                        None,
                    );
                    return None;
                }
            },
            _ => {
                self.push("int_type", name, "Input should be a valid integer", v, None);
                return None;
            }
        };
        self.range(
            name,
            v,
            n as f64,
            ge as f64,
            le as f64,
            json!(ge),
            json!(le),
        )
        .map(|_| n)
    }

    pub fn req_float(&mut self, name: &str, ge: f64, le: f64) -> Option<f64> {
        match self.get(name) {
            None => {
                self.missing(name);
                None
            }
            Some(v) => self.check_float(name, v, ge, le),
        }
    }

    pub fn opt_float(&mut self, name: &str, ge: f64, le: f64) -> Option<f64> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check_float(name, v, ge, le),
        }
    }

    fn check_float(&mut self, name: &str, v: &Value, ge: f64, le: f64) -> Option<f64> {
        let f = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Some(f),
                _ => {
                    self.push(
                        "float_parsing",
                        name,
                        "Input should be a valid number, unable to parse string as a number",
                        v,
                        None,
                    );
                    return None;
                }
            },
            _ => None,
        };
        let Some(f) = f else {
            self.push(
                "float_type",
                name,
                "Input should be a valid number",
                v,
                None,
            );
            return None;
        };
        self.range(name, v, f, ge, le, json!(ge), json!(le))
    }

    #[allow(clippy::too_many_arguments)]
    fn range(
        &mut self,
        name: &str,
        v: &Value,
        x: f64,
        ge: f64,
        le: f64,
        gej: Value,
        lej: Value,
    ) -> Option<f64> {
        if x < ge {
            self.push(
                "greater_than_equal",
                name,
                &format!(
                    "Input should be greater than or equal to {}",
                    num_words(&gej)
                ),
                v,
                Some(json!({ "ge": gej })),
            );
            return None;
        }
        if x > le {
            self.push(
                "less_than_equal",
                name,
                &format!("Input should be less than or equal to {}", num_words(&lej)),
                v,
                Some(json!({ "le": lej })),
            );
            return None;
        }
        Some(x)
    }

    pub fn req_uuid(&mut self, name: &str) -> Option<String> {
        match self.get(name) {
            None => {
                self.missing(name);
                None
            }
            Some(v) => self.check_uuid(name, v),
        }
    }

    pub fn opt_uuid(&mut self, name: &str) -> Option<String> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check_uuid(name, v),
        }
    }

    fn check_uuid(&mut self, name: &str, v: &Value) -> Option<String> {
        let Value::String(s) = v else {
            self.push(
                "uuid_type",
                name,
                "UUID input should be a string, bytes or UUID object",
                v,
                None,
            );
            return None;
        };
        match uuid::Uuid::parse_str(s.trim()) {
            Ok(u) => Some(u.to_string()),
            Err(e) => {
                self.push(
                    "uuid_parsing",
                    name,
                    &format!("Input should be a valid UUID, {e}"),
                    v,
                    Some(json!({ "error": e.to_string() })),
                );
                None
            }
        }
    }

    pub fn req_email(&mut self, name: &str) -> Option<String> {
        let s = self.req_str(name, 0, 320)?;
        self.check_email(name, s)
    }

    pub fn opt_email(&mut self, name: &str) -> Option<String> {
        let s = self.opt_str(name, 0, 320)?;
        self.check_email(name, s)
    }

    fn check_email(&mut self, name: &str, s: String) -> Option<String> {
        match email_problem(&s) {
            None => Some(s.trim().to_string()),
            Some(reason) => {
                self.push(
                    "value_error",
                    name,
                    &format!("value is not a valid email address: {reason}"),
                    &json!(s),
                    Some(json!({ "reason": reason })),
                );
                None
            }
        }
    }

    pub fn req_ip(&mut self, name: &str) -> Option<String> {
        let v = self.get(name);
        let s = self.req_str(name, 0, 100)?;
        self.check_ip(name, s, v)
    }

    pub fn opt_ip(&mut self, name: &str) -> Option<String> {
        let v = self.get(name);
        let s = self.opt_str(name, 0, 100)?;
        self.check_ip(name, s, v)
    }

    fn check_ip(&mut self, name: &str, s: String, v: Option<&Value>) -> Option<String> {
        match s.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => Some(ip.to_string()),
            Err(_) => {
                self.push(
                    "ip_any_address",
                    name,
                    "value is not a valid IPv4 or IPv6 address",
                    v.unwrap_or(&Value::Null),
                    None,
                );
                None
            }
        }
    }

    /// A list of strings; absent → missing when required.
    pub fn str_list(&mut self, name: &str, required: bool) -> Option<Vec<String>> {
        let v = match self.get(name) {
            None => {
                if required {
                    self.missing(name);
                }
                return None;
            }
            Some(Value::Null) if !required => return None,
            Some(v) => v,
        };
        let Value::Array(items) = v else {
            self.push("list_type", name, "Input should be a valid list", v, None);
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, it) in items.iter().enumerate() {
            match it {
                Value::String(s) => out.push(s.clone()),
                other => {
                    ok = false;
                    let mut loc = self.loc(name);
                    loc.push(json!(i));
                    self.errors.push(err_item(
                        "string_type",
                        &loc,
                        "Input should be a valid string",
                        other.clone(),
                        None,
                    ));
                }
            }
        }
        ok.then_some(out)
    }

    /// The raw value of a field, for fields with their own rules.
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.get(name)
    }

    pub fn error_at(&mut self, name: &str, kind: &str, msg: &str, input: &Value) {
        self.push(kind, name, msg, input, None);
    }
}

fn num_words(v: &Value) -> String {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 => format!("{}", f as i64),
        _ => v.to_string(),
    }
}
