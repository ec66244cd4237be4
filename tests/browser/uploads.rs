//! The organizer's upload report (issue 22): errors first, one line for missing translations, template leftovers.
