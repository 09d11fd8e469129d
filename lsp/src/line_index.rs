//! Byte offsets ↔ LSP positions.
//!
//! The compiler's spans are UTF-8 byte offsets; LSP positions are a 0-based line and a
//! character offset in UTF-16 code units (the protocol's default encoding, the only one every
//! client supports). Lines end at `\n`, `\r\n` or a lone `\r`, as the protocol says.
//!
//! Conversions never fail: an offset inside a character moves back to the character's start;
//! a position past the end of its line means the end of the line (before the line break); a
//! line past the last one means the end of the text; a position between the two halves of a
//! surrogate pair means the start of that character.

use tower_lsp_server::ls_types::{Position, Range};

/// Line starts of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts (the first is 0).
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let b = text.as_bytes();
        let mut starts = vec![0u32];
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    starts.push(i as u32 + 2);
                    i += 1;
                }
                b'\r' => starts.push(i as u32 + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts, len: text.len() as u32 }
    }

    /// Number of lines (a text ending in a line break has an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// The byte range of line `line`'s content, without its line break.
    fn line_range(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.starts[line] as usize;
        let next = self.starts.get(line + 1).map_or(self.len as usize, |s| *s as usize);
        let b = text.as_bytes();
        let mut end = next;
        if end > start && b.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && b.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end.max(start))
    }

    /// The position of byte `offset` (clamped to the text).
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let mut off = (offset.min(self.len)) as usize;
        while off > 0 && !text.is_char_boundary(off) {
            off -= 1;
        }
        let line = self.starts.partition_point(|s| *s as usize <= off) - 1;
        let (start, end) = self.line_range(text, line);
        // an offset inside a `\r\n` break counts as the end of the line
        let off = off.min(end.max(start));
        let character: usize = text[start..off].chars().map(char::len_utf16).sum();
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of `pos` (clamped as the module documentation says).
    pub fn offset(&self, text: &str, pos: Position) -> u32 {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let (start, end) = self.line_range(text, line);
        let mut units = 0u32;
        for (i, c) in text[start..end].char_indices() {
            let w = c.len_utf16() as u32;
            if units + w > pos.character {
                return (start + i) as u32;
            }
            units += w;
        }
        end as u32
    }

    pub fn range(&self, text: &str, start: u32, end: u32) -> Range {
        Range { start: self.position(text, start), end: self.position(text, end.max(start)) }
    }

    /// The number of UTF-16 units in `text[start..end]` (a token on one line).
    pub fn utf16_len(text: &str, start: u32, end: u32) -> u32 {
        text.get(start as usize..end as usize).map_or(0, |s| s.chars().map(|c| c.len_utf16() as u32).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn ascii() {
        let t = "ab\ncd\n";
        let li = LineIndex::new(t);
        assert_eq!(li.lines(), 3);
        assert_eq!(li.position(t, 0), pos(0, 0));
        assert_eq!(li.position(t, 2), pos(0, 2));
        assert_eq!(li.position(t, 3), pos(1, 0));
        assert_eq!(li.position(t, 6), pos(2, 0));
        assert_eq!(li.offset(t, pos(1, 1)), 4);
        assert_eq!(li.offset(t, pos(2, 0)), 6);
    }

    #[test]
    fn non_ascii_counts_utf16_units() {
        // é: 2 bytes, 1 unit; €: 3 bytes, 1 unit; 😀: 4 bytes, 2 units
        let t = "let é = \"€😀x\"\n";
        let li = LineIndex::new(t);
        let x = t.find('x').unwrap() as u32;
        // `let é = "` is 9 units, € 1, 😀 2
        assert_eq!(li.position(t, x), pos(0, 12));
        assert_eq!(li.offset(t, pos(0, 12)), x);
        let e = t.find('é').unwrap() as u32;
        assert_eq!(li.position(t, e), pos(0, 4));
        assert_eq!(li.position(t, e + 2), pos(0, 5));
        let euro = t.find('€').unwrap() as u32;
        assert_eq!(li.offset(t, pos(0, 9)), euro);
        assert_eq!(li.offset(t, pos(0, 10)), euro + 3);
        assert_eq!(li.offset(t, pos(0, 12)), euro + 3 + 4);
    }

    #[test]
    fn offsets_inside_a_character_move_to_its_start() {
        let t = "a😀b";
        let li = LineIndex::new(t);
        for off in 1..5 {
            assert_eq!(li.position(t, off), pos(0, 1), "offset {off}");
        }
        assert_eq!(li.position(t, 5), pos(0, 3));
        // between the two halves of the surrogate pair: the character's start
        assert_eq!(li.offset(t, pos(0, 2)), 1);
        assert_eq!(li.offset(t, pos(0, 3)), 5);
    }

    #[test]
    fn past_the_end_clamps() {
        let t = "ab\r\ncd";
        let li = LineIndex::new(t);
        assert_eq!(li.offset(t, pos(0, 99)), 2, "end of line, before \\r\\n");
        assert_eq!(li.offset(t, pos(7, 0)), 6, "past the last line: end of text");
        assert_eq!(li.position(t, 99), pos(1, 2));
        assert_eq!(li.position(t, 3), pos(0, 2), "inside \\r\\n: end of the line");
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let t = "a\r\nb\rc\nd";
        let li = LineIndex::new(t);
        assert_eq!(li.lines(), 4);
        assert_eq!(li.position(t, 3), pos(1, 0));
        assert_eq!(li.position(t, 5), pos(2, 0));
        assert_eq!(li.position(t, 7), pos(3, 0));
        assert_eq!(li.offset(t, pos(1, 0)), 3);
        assert_eq!(li.offset(t, pos(2, 0)), 5);
        assert_eq!(li.offset(t, pos(3, 1)), 8);
    }

    #[test]
    fn every_character_boundary_round_trips() {
        let t = "// Grüße, 世界 😀\nlet naïve = \"日本\" // ✓\r\n\n𝕏 = 1\r\tend";
        let li = LineIndex::new(t);
        let mut last = pos(0, 0);
        for (off, _) in t.char_indices().chain(std::iter::once((t.len(), ' '))) {
            let p = li.position(t, off as u32);
            let back = li.offset(t, p) as usize;
            // line-break bytes map to the end of their line, which maps back to the break
            let in_break = t[..off].ends_with('\r') && t[off..].starts_with('\n');
            if !in_break {
                assert_eq!(back, off, "offset {off} → {p:?} → {back}");
            }
            assert!((p.line, p.character) >= (last.line, last.character), "positions grow");
            last = p;
        }
    }
}
