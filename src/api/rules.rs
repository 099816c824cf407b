//! The APIs' own rules on values: what the real services (or their docs) state, used by the
//! console's forms to check what the user changes, and by the reference server to refuse.
//! A rule nobody states (`valid_phone`) is advice, never a refusal.

/// Why an address is not valid, in email-validator's words (pydantic's `EmailStr`, which the
/// core schema's `user@example.com` stands for); `None` when it is.
pub fn email_problem(s: &str) -> Option<&'static str> {
    let s = s.trim();
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Some("An email address must have an @-sign.");
    };
    if local.is_empty() {
        return Some("There must be something before the @-sign.");
    }
    if domain.is_empty() {
        return Some("There must be something after the @-sign.");
    }
    if local.contains('@') || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("The email address contains invalid characters.");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("The email address contains invalid characters before the @-sign.");
    }
    if !domain.contains('.') {
        return Some("The part after the @-sign is not valid. It should have a period.");
    }
    if domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
        || !domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
    {
        return Some("The part after the @-sign is not valid.");
    }
    None
}

/// A Maarch login: 1 to 128 characters of `[\w.@-]` (PHP's `\w` is ASCII), as Maarch checks
/// on creation.
pub fn valid_login(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'))
}

/// The phone Maarch Courrier accepts: its pattern `\+?((|\ |\.|\(|\)|\-)?(\d)*)*\d$` is not
/// anchored at the start, so any text of at most 32 characters ending with a digit passes.
pub fn maarch_phone_accepted(s: &str) -> bool {
    s.len() <= 32 && s.ends_with(|c: char| c.is_ascii_digit())
}

/// What a phone number usually looks like (advice, nobody refuses the rest): an optional
/// leading '+', then digits, spaces, '.', '-' and parentheses, ending with a digit; 4 to 20
/// digits and 32 characters at most.
pub fn valid_phone(s: &str) -> bool {
    let rest = s.strip_prefix('+').unwrap_or(s);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    s.len() <= 32
        && (4..=20).contains(&digits)
        && rest.ends_with(|c: char| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')'))
}

#[cfg(test)]
mod tests {
    use super::{maarch_phone_accepted, valid_login, valid_phone};

    #[test]
    fn phones() {
        for ok in [
            "+33120212223",
            "01 47 24 51 59",
            "(0)1.47.24.51.59",
            "+1-555-0100",
            "1234",
        ] {
            assert!(valid_phone(ok), "{ok}");
            assert!(maarch_phone_accepted(ok), "{ok}");
        }
        for bad in [
            "",
            "123",
            "abc1234",
            "+33 1 2x",
            "0147245159-",
            "++33120212223",
            &"1".repeat(21),
        ] {
            assert!(!valid_phone(bad), "{bad}");
        }
        // Maarch itself takes what ends with a digit, within 32 characters.
        for taken in ["123", "abc1234", "++33120212223", "call me at 5"] {
            assert!(maarch_phone_accepted(taken), "{taken}");
        }
        for refused in ["", "0147245159-", "+33 1 2x", &"1".repeat(33)] {
            assert!(!maarch_phone_accepted(refused), "{refused}");
        }
    }

    #[test]
    fn logins() {
        assert!(valid_login("bwayne"));
        assert!(valid_login("first.last@example-1_x"));
        assert!(valid_login(&"a".repeat(128)));
        assert!(!valid_login(&"a".repeat(129)));
        assert!(!valid_login(""));
        assert!(!valid_login("b wayne"));
        assert!(!valid_login("bwayné"));
    }
}
