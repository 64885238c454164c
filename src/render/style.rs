//! Colour that costs nothing while it is off. `colored` copies every text it styles, even when
//! colour is off (pipes, `NO_COLOR`); a styled text here is a borrowed text and a style, handed
//! to `colored` only when colour is on, so the output is the same either way.

use std::fmt;

use colored::{ColoredString, Colorize};

/// `text`, shown in a style when colour is on.
pub struct Styled<'a> {
    text: &'a str,
    paint: fn(&str) -> ColoredString,
}

impl fmt::Display for Styled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if colored::control::SHOULD_COLORIZE.should_colorize() {
            fmt::Display::fmt(&(self.paint)(self.text), f)
        } else {
            fmt::Display::fmt(self.text, f)
        }
    }
}

macro_rules! styles {
    ($($name:ident),*) => {$(
        pub fn $name(text: &str) -> Styled<'_> {
            Styled {
                text,
                paint: |text| text.$name(),
            }
        }
    )*};
}

styles!(bold, dimmed, green, yellow, red, cyan, underline);
