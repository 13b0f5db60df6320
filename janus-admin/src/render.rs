//! Plain-text tables, and JSON values shown as them.

use std::fmt;

use serde_json::{Map, Value};

/// Rows of cells in aligned columns (two spaces apart), with an optional header.
#[derive(Debug, Default)]
pub struct Table {
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn with_header(titles: &[&str]) -> Self {
        Self {
            header: Some(titles.iter().map(|t| (*t).to_owned()).collect()),
            rows: Vec::new(),
        }
    }

    /// A table without a header (a key and a value per row).
    pub fn plain() -> Self {
        Self::default()
    }

    /// Adds a row.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<&Vec<String>> = self.header.iter().chain(&self.rows).collect();
        let columns = lines.iter().map(|l| l.len()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                let width = |l: &&Vec<String>| l.get(c).map_or(0, |s| s.chars().count());
                lines.iter().map(width).max().unwrap_or(0)
            })
            .collect();
        for line in lines {
            let mut text = String::new();
            for (cell, width) in line.iter().zip(&widths) {
                text.push_str(cell);
                let pad = width - cell.chars().count();
                text.extend(std::iter::repeat_n(' ', pad + 2));
            }
            writeln!(f, "{}", text.trim_end())?;
        }
        Ok(())
    }
}

/// Past this width a list of objects is shown one object after the other, not as a table.
const MAX_WIDTH: usize = 100;

/// A JSON object shown as tables: its fields as `key value` rows (nested objects with dotted
/// keys, arrays of plain values joined), and each array of flat objects as a table of its
/// own, titled with its key (or, when that table would be wider than [`MAX_WIDTH`], each
/// object as `key value` rows titled `key.index`).
pub fn fields(value: &Value) -> String {
    let mut fields = Table::plain();
    let mut lists = Vec::new();
    flatten("", value, &mut fields, &mut lists);
    let mut parts = Vec::new();
    if !fields.is_empty() {
        parts.push(fields.to_string());
    }
    for (key, items) in lists {
        let table = objects_table(items).to_string();
        if table.lines().all(|l| l.chars().count() <= MAX_WIDTH) {
            parts.push(format!("{key}:\n{table}"));
            continue;
        }
        for (i, item) in items.iter().enumerate() {
            parts.push(format!("{key}.{i}:\n{}", fields_of(item)));
        }
    }
    parts.join("\n")
}

/// The `key value` rows of a flat object.
fn fields_of(object: &Value) -> Table {
    let mut table = Table::plain();
    for (key, value) in object.as_object().into_iter().flatten() {
        table.row([key.clone(), cell(value)]);
    }
    table
}

fn flatten<'a>(
    key: &str,
    value: &'a Value,
    fields: &mut Table,
    lists: &mut Vec<(String, &'a [Value])>,
) {
    let join = |sub: &str| match key {
        "" => sub.to_owned(),
        _ => format!("{key}.{sub}"),
    };
    match value {
        Value::Object(map) if map.is_empty() && !key.is_empty() => fields.row([key, "{}"]),
        Value::Object(map) => {
            for (sub, value) in map {
                flatten(&join(sub), value, fields, lists);
            }
        }
        Value::Array(items) if items.iter().all(is_plain) => {
            fields.row([key.to_owned(), cell(value)])
        }
        Value::Array(items) if items.iter().all(is_flat_object) => {
            lists.push((key.to_owned(), items));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&join(&i.to_string()), item, fields, lists);
            }
        }
        plain => fields.row([key.to_owned(), cell(plain)]),
    }
}

/// A table with a column per key of these objects (in order of first appearance).
fn objects_table(items: &[Value]) -> Table {
    let objects: Vec<&Map<String, Value>> = items.iter().filter_map(Value::as_object).collect();
    let mut keys: Vec<&str> = Vec::new();
    for key in objects.iter().flat_map(|o| o.keys()) {
        if !keys.contains(&key.as_str()) {
            keys.push(key);
        }
    }
    let mut table = Table::with_header(&keys);
    for object in objects {
        table.row(
            keys.iter()
                .map(|k| object.get(*k).map(cell).unwrap_or_default()),
        );
    }
    table
}

/// A plain value (not an object, nor an array holding objects or arrays).
fn is_plain(value: &Value) -> bool {
    match value {
        Value::Object(_) => false,
        Value::Array(items) => items.iter().all(|v| !v.is_object() && !v.is_array()),
        _ => true,
    }
}

fn is_flat_object(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| !o.is_empty() && o.values().all(is_plain))
}

/// One plain value as a cell: strings without quotes (a text of several lines as its first
/// line and its count), arrays joined with commas, `null` as `-`.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => match text.lines().count() {
            0 | 1 => text.clone(),
            n => format!("{} … ({n} lines)", text.lines().next().unwrap_or_default()),
        },
        Value::Array(items) if items.is_empty() => "(none)".to_owned(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{cell, fields, Table};

    #[test]
    fn columns_are_aligned_and_lines_not_padded() {
        let mut table = Table::with_header(&["SESSION", "HANDLES"]);
        table.row(["1", "2"]);
        table.row(["1234567890", "0"]);
        assert_eq!(
            table.to_string(),
            "SESSION     HANDLES\n1           2\n1234567890  0\n"
        );
    }

    #[test]
    fn nested_objects_become_dotted_keys_and_lists_of_objects_tables() {
        let value = json!({
            "videoroom": "success",
            "settings": {"bitrate": 128000, "codecs": ["opus", "vp8"], "none": null},
            "list": [{"room": 1, "description": "one"}, {"room": 2, "pin_required": true}],
            "sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n",
        });
        assert_eq!(
            fields(&value),
            concat!(
                "sdp               v=0 … (2 lines)\n",
                "settings.bitrate  128000\n",
                "settings.codecs   opus, vp8\n",
                "settings.none     -\n",
                "videoroom         success\n",
                "\n",
                "list:\n",
                "description  room  pin_required\n",
                "one          1\n",
                "             2     true\n",
            )
        );
    }

    #[test]
    fn arrays_of_deeper_objects_are_indexed() {
        let value = json!({"streams": [{"mid": "0", "rtp": {"ssrc": 1}}]});
        assert_eq!(
            fields(&value),
            "streams.0.mid       0\nstreams.0.rtp.ssrc  1\n"
        );
        assert_eq!(cell(&json!([])), "(none)");
    }

    #[test]
    fn lists_of_objects_too_wide_for_a_table_come_one_object_at_a_time() {
        let wide = "x".repeat(60);
        let value = json!({"list": [{"a": wide, "b": wide}, {"a": 1}]});
        assert_eq!(
            fields(&value),
            format!("list.0:\na  {wide}\nb  {wide}\n\nlist.1:\na  1\n")
        );
    }
}
