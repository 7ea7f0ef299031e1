//! Toolsets: the areas tools are grouped in, so a server (`AUTOTASK_TOOLSETS`) or a request can
//! offer fewer tools. The daily areas are on by default; others are opt-in. The inventory says
//! which area each catalog file belongs to.

use std::fmt;

/// One area of tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Toolset {
    Tickets,
    Companies,
    Contacts,
    Projects,
    Time,
    Attachments,
    People,
    Generic,
}

impl Toolset {
    /// Every toolset, in the order the docs list them.
    pub const ALL: [Toolset; 8] = [
        Toolset::Tickets,
        Toolset::Companies,
        Toolset::Contacts,
        Toolset::Projects,
        Toolset::Time,
        Toolset::Attachments,
        Toolset::People,
        Toolset::Generic,
    ];

    /// The name in `AUTOTASK_TOOLSETS` and the docs.
    pub fn name(self) -> &'static str {
        match self {
            Toolset::Tickets => "tickets",
            Toolset::Companies => "companies",
            Toolset::Contacts => "contacts",
            Toolset::Projects => "projects",
            Toolset::Time => "time",
            Toolset::Attachments => "attachments",
            Toolset::People => "people",
            Toolset::Generic => "generic",
        }
    }

    /// The toolset named `name` (any casing, surrounding blanks ignored).
    pub fn parse(name: &str) -> Option<Toolset> {
        let name = name.trim();
        Toolset::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// On when nothing else is configured: the daily areas.
    pub fn on_by_default(self) -> bool {
        true
    }
}

impl fmt::Display for Toolset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_are_unique() {
        let mut names: Vec<&str> = Toolset::ALL.iter().map(|t| t.name()).collect();
        for t in Toolset::ALL {
            assert_eq!(
                Toolset::parse(&format!(" {} ", t.name().to_uppercase())),
                Some(t)
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Toolset::ALL.len());
        assert_eq!(Toolset::parse("nope"), None);
    }
}
