//! A plain aligned table, for `aciform status`: a bold header row, then one row per
//! resource, columns two spaces apart.
//!
//! Cells come from the cloud (names, states, FQDNs), so they are sanitized and kept
//! on one line each; a short row is padded with empty cells.

use super::styled::{Style, Styled};
use super::value;

/// The table as plain text; see [`table_styled`] for the coloured header.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    table_styled(headers, rows).to_plain()
}

/// The table with its header row marked bold. Every line ends in a newline and none
/// carries trailing spaces.
pub fn table_styled(headers: &[&str], rows: &[Vec<String>]) -> Styled {
    let clean = |cell: &str| value::sanitize(&cell.replace(['\r', '\n'], " "));
    let header: Vec<String> = headers.iter().map(|h| clean(h)).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|c| clean(c)).collect())
        .collect();

    let columns = body
        .iter()
        .map(Vec::len)
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in body.iter().chain([&header]) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let mut out = Styled::new();
    if !header.is_empty() {
        out.push(Style::Bold, layout(&header, &widths)).newline();
    }
    for row in &body {
        out.plain(layout(row, &widths)).newline();
    }
    out
}

/// One row with every cell padded to its column's width, trailing space trimmed.
fn layout(row: &[String], widths: &[usize]) -> String {
    let cells: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(i, width)| format!("{:<width$}", row.get(i).map_or("", String::as_str)))
        .collect();
    cells.join("  ").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn columns_line_up() {
        let rows = [
            row(&[
                "container_group.web",
                "shop-web",
                "Running",
                "20.51.3.7",
                "0",
            ]),
            row(&["container_group.db", "shop-db", "Stopped"]),
        ];
        let shown = table(&["ADDRESS", "NAME", "STATE", "IP", "RESTARTS"], &rows);
        insta::assert_snapshot!(shown, @r"
        ADDRESS              NAME      STATE    IP         RESTARTS
        container_group.web  shop-web  Running  20.51.3.7  0
        container_group.db   shop-db   Stopped
        ");
    }

    #[test]
    fn hostile_cells_stay_on_one_line_and_inert() {
        let shown = table(&["A"], &[row(&["x\ny\u{1b}[2J"])]);
        assert_eq!(shown, "A\nx y\\u{1b}[2J\n");
    }

    #[test]
    fn header_is_bold_only_in_colour() {
        let styled = table_styled(&["A", "B"], &[row(&["1", "2"])]);
        assert!(styled.render(true).starts_with("\x1b[1mA  B\x1b[0m\n"));
        assert!(!styled.render(false).contains('\x1b'));
    }

    #[test]
    fn empty_table_is_empty() {
        assert_eq!(table(&[], &[]), "");
    }
}
