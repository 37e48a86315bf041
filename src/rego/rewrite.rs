//! Text edits that adapt a Rego file for the engine without moving any line: every
//! diagnostic, print and coverage line stays that of the file on disk.

/// Replace the bytes `start..end` of the original text by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            start: at,
            end: at,
            text: text.into(),
        }
    }

    pub fn replace(start: usize, end: usize, text: impl Into<String>) -> Edit {
        Edit {
            start,
            end,
            text: text.into(),
        }
    }
}

/// Where one applied edit sits in both texts.
#[derive(Clone, Copy, Debug)]
struct Applied {
    original_start: usize,
    original_end: usize,
    edited_start: usize,
    edited_end: usize,
}

/// A text with edits applied, able to map offsets back to the original.
#[derive(Clone, Debug)]
pub struct EditedText {
    pub text: String,
    applied: Vec<Applied>,
}

impl EditedText {
    /// Applies edits to `original`. Edits are sorted by position (insertions at the same
    /// place keep their order); an edit overlapping an earlier one is dropped, since edits
    /// come from disjoint syntax nodes and an overlap means a caller bug, not a user's.
    pub fn new(original: &str, mut edits: Vec<Edit>) -> EditedText {
        edits.sort_by_key(|edit| (edit.start, edit.end));
        let mut text = String::with_capacity(original.len() + 64);
        let mut applied = Vec::with_capacity(edits.len());
        let mut copied_to = 0;
        for edit in edits {
            if edit.start < copied_to || edit.end < edit.start {
                continue;
            }
            let (Some(before), true) = (
                original.get(copied_to..edit.start),
                original.is_char_boundary(edit.end),
            ) else {
                continue;
            };
            text.push_str(before);
            let edited_start = text.len();
            text.push_str(&edit.text);
            applied.push(Applied {
                original_start: edit.start,
                original_end: edit.end,
                edited_start,
                edited_end: text.len(),
            });
            copied_to = edit.end;
        }
        text.push_str(original.get(copied_to..).unwrap_or(""));
        EditedText { text, applied }
    }

    /// The text unchanged.
    pub fn unchanged(original: &str) -> EditedText {
        EditedText {
            text: original.to_string(),
            applied: Vec::new(),
        }
    }

    pub fn is_unchanged(&self) -> bool {
        self.applied.is_empty()
    }

    /// The original offset of an offset in the edited text; an offset inside an edit maps
    /// to the start of what the edit replaced.
    pub fn original_offset(&self, edited: usize) -> usize {
        let mut shift: isize = 0;
        for applied in &self.applied {
            if edited < applied.edited_start {
                break;
            }
            if edited < applied.edited_end {
                return applied.original_start;
            }
            shift = applied.original_end as isize - applied.edited_end as isize;
        }
        edited.saturating_add_signed(shift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_after_edits_map_back() {
        let edited = EditedText::new(
            "package p\nx := f(1)\n",
            vec![
                Edit::insert(9, " import future.keywords"),
                Edit::replace(15, 16, "__g1"),
            ],
        );
        assert_eq!(
            edited.text,
            "package p import future.keywords\nx := __g1(1)\n"
        );
        assert_eq!(edited.original_offset(0), 0);
        assert_eq!(edited.original_offset(33), 10);
        assert_eq!(edited.original_offset(38), 15);
        assert_eq!(edited.original_offset(42), 16);
    }

    #[test]
    fn overlapping_edits_are_dropped() {
        let edited = EditedText::new(
            "abcdef",
            vec![Edit::replace(1, 4, "X"), Edit::replace(2, 3, "Y")],
        );
        assert_eq!(edited.text, "aXef");
    }
}
