//! Names are one line of text. Beyond control characters (CR, LF, tab, NUL, …) that rules
//! out the Unicode line and paragraph separators and the bidirectional overrides and
//! isolates, which break a line in some viewers or make a name read as another
//! (`Evil\u{202E}eman`).

/// What a name may not contain.
pub fn breaks_a_line(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

pub fn is_one_line(text: &str) -> bool {
    !text.chars().any(breaks_a_line)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a name is one line: no line breaks, tabs, control or text-direction characters")]
pub struct NotOneLine;

/// An administrator's display name: trimmed, one line; `fallback` (the email) when empty.
pub fn display_name(input: &str, fallback: &str) -> Result<String, NotOneLine> {
    match input.trim() {
        "" => Ok(fallback.to_owned()),
        name if is_one_line(name) => Ok(name.to_owned()),
        _ => Err(NotOneLine),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_line_without_direction_tricks() {
        for name in ["Ann Field", "Zoë Ångström", "山田 太郎", "O'Brien-Smith"] {
            assert!(is_one_line(name), "{name}");
        }
        for name in [
            "a\nb",
            "a\rb",
            "a\tb",
            "a\0b",
            "a\u{85}b",
            "a\u{2028}b",
            "Evil\u{202E}eman",
            "a\u{2067}b",
        ] {
            assert!(!is_one_line(name), "{name:?}");
        }
    }

    #[test]
    fn an_empty_display_name_falls_back_to_the_email() {
        assert_eq!(
            display_name("  ", "ann@example.com").unwrap(),
            "ann@example.com"
        );
        assert_eq!(display_name(" Ann ", "ann@example.com").unwrap(), "Ann");
        assert_eq!(display_name("Ann\r\nInjected", "x"), Err(NotOneLine));
    }
}
