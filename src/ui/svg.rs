//! A drawn buffer as an SVG picture, cell for cell: the README's screenshots come from the
//! real drawing code, so they cannot drift from what the console shows.

use std::fmt::{self, Display, Write};

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

const CELL_W: u32 = 9;
const CELL_H: u32 = 18;
const FONT_SIZE: u32 = 15;
/// From a row's top to the text baseline.
const BASELINE: u32 = 14;
const PAD: u32 = 12;
const FONTS: &str = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";

type Rgb = [u8; 3];

const BACKGROUND: Rgb = [0x16, 0x18, 0x1d];
const FOREGROUND: Rgb = [0xd0, 0xd4, 0xdc];
/// The 16 ANSI colours, a dark terminal theme.
const ANSI: [Rgb; 16] = [
    [0x2e, 0x34, 0x40],
    [0xe0, 0x6c, 0x75],
    [0x98, 0xc3, 0x79],
    [0xe5, 0xc0, 0x7b],
    [0x61, 0xaf, 0xef],
    [0xc6, 0x78, 0xdd],
    [0x56, 0xb6, 0xc2],
    [0xab, 0xb2, 0xbf],
    [0x5c, 0x63, 0x70],
    [0xff, 0x7b, 0x86],
    [0xb5, 0xe8, 0x90],
    [0xff, 0xd6, 0x8a],
    [0x8c, 0xc8, 0xff],
    [0xde, 0x9b, 0xf0],
    [0x7f, 0xd8, 0xe4],
    [0xff, 0xff, 0xff],
];

/// The buffer as a standalone SVG document on a dark background.
pub fn buffer_to_svg(buf: &Buffer) -> String {
    let mut out = String::new();
    write_svg(buf, &mut out).expect("formatting into a String cannot fail");
    out
}

/// What a cell shows: its symbol over `width` columns, colours resolved.
struct Glyph<'a> {
    col: u16,
    width: u16,
    symbol: &'a str,
    pen: Pen,
    bg: Rgb,
}

#[derive(PartialEq)]
struct Pen {
    fg: Rgb,
    bold: bool,
    underline: bool,
}

fn write_svg(buf: &Buffer, out: &mut String) -> fmt::Result {
    let area = buf.area;
    let width = u32::from(area.width) * CELL_W + 2 * PAD;
    let height = u32::from(area.height) * CELL_H + 2 * PAD;
    writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xml:space="preserve">"#
    )?;
    writeln!(
        out,
        r#"<rect width="100%" height="100%" rx="6" fill="{}"/>"#,
        Hex(BACKGROUND)
    )?;
    let rows: Vec<Vec<Glyph>> = (0..area.height).map(|y| glyphs(buf, area.y + y)).collect();
    for (y, row) in (0u32..).zip(&rows) {
        for run in row.chunk_by(|a, b| a.bg == b.bg) {
            if run[0].bg != BACKGROUND {
                writeln!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="{CELL_H}" fill="{}"/>"#,
                    left(run[0].col),
                    PAD + y * CELL_H,
                    columns(run) * CELL_W,
                    Hex(run[0].bg)
                )?;
            }
        }
    }
    writeln!(out, r#"<g font-family="{FONTS}" font-size="{FONT_SIZE}">"#)?;
    for (y, row) in (0u32..).zip(&rows) {
        // A wide glyph stands alone: stretching a run to the grid then moves nothing else.
        let runs = row.chunk_by(|a, b| a.pen == b.pen && a.width == 1 && b.width == 1);
        let mut text = String::new();
        for run in runs.map(visible).filter(|r| !r.is_empty()) {
            let pen = &run[0].pen;
            write!(
                text,
                r#"<tspan x="{}" textLength="{}" fill="{}""#,
                left(run[0].col),
                columns(run) * CELL_W,
                Hex(pen.fg)
            )?;
            if pen.bold {
                text.push_str(r#" font-weight="bold""#);
            }
            if pen.underline {
                text.push_str(r#" text-decoration="underline""#);
            }
            text.push('>');
            for g in run {
                escape(g.symbol, &mut text);
            }
            text.push_str("</tspan>");
        }
        if !text.is_empty() {
            writeln!(
                out,
                r#"<text y="{}">{text}</text>"#,
                PAD + y * CELL_H + BASELINE
            )?;
        }
    }
    writeln!(out, "</g>\n</svg>")
}

/// One row's glyphs; a wide one hides the cells it covers, as on a terminal.
fn glyphs(buf: &Buffer, y: u16) -> Vec<Glyph<'_>> {
    let area = buf.area;
    let mut row = Vec::new();
    let mut col = 0;
    while col < area.width {
        let cell = &buf[(area.x + col, y)];
        let symbol = cell.symbol();
        let width = u16::try_from(symbol.width())
            .unwrap_or(u16::MAX)
            .clamp(1, area.width - col);
        let (pen, bg) = colours(cell);
        row.push(Glyph {
            col,
            width,
            symbol,
            pen,
            bg,
        });
        col += width;
    }
    row
}

fn colours(cell: &Cell) -> (Pen, Rgb) {
    let mut fg = rgb(cell.fg, FOREGROUND);
    let mut bg = rgb(cell.bg, BACKGROUND);
    if cell.modifier.contains(Modifier::DIM) {
        // Faint, as a terminal draws it: halfway to the background.
        fg = mix(fg, bg);
    }
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    let pen = Pen {
        fg,
        bold: cell.modifier.contains(Modifier::BOLD),
        underline: cell.modifier.contains(Modifier::UNDERLINED),
    };
    (pen, bg)
}

/// The run without its blank ends, which the background already shows; underlined, whole.
fn visible<'r, 'a>(run: &'r [Glyph<'a>]) -> &'r [Glyph<'a>] {
    if run[0].pen.underline {
        return run;
    }
    let blank = |g: &Glyph| g.symbol == " ";
    let start = run.iter().position(|g| !blank(g)).unwrap_or(run.len());
    let end = run.iter().rposition(|g| !blank(g)).map_or(start, |i| i + 1);
    &run[start..end]
}

fn left(col: u16) -> u32 {
    PAD + u32::from(col) * CELL_W
}

fn columns(run: &[Glyph]) -> u32 {
    run.iter().map(|g| u32::from(g.width)).sum()
}

/// Halfway between two colours.
fn mix(a: Rgb, b: Rgb) -> Rgb {
    [0, 1, 2].map(|i| ((u16::from(a[i]) + u16::from(b[i])) / 2) as u8)
}

fn rgb(c: Color, default: Rgb) -> Rgb {
    match c {
        Color::Reset => default,
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
        Color::Rgb(r, g, b) => [r, g, b],
        Color::Indexed(i) => indexed(i),
    }
}

/// The xterm 256-colour palette: the 16 ANSI colours, a 6x6x6 cube, then 24 greys.
fn indexed(i: u8) -> Rgb {
    match i {
        0..=15 => ANSI[usize::from(i)],
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let i = i - 16;
            [level(i / 36), level(i / 6 % 6), level(i % 6)]
        }
        232..=255 => {
            let v = 8 + 10 * (i - 232);
            [v, v, v]
        }
    }
}

struct Hex(Rgb);

impl Display for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};

    use super::{buffer_to_svg, indexed};

    fn svg_of(text: &str, style: Style) -> String {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 2));
        buf.set_string(0, 0, text, style);
        buffer_to_svg(&buf)
    }

    #[test]
    fn markup_in_text_is_escaped() {
        let svg = svg_of("a<&>b", Style::new());
        assert!(svg.contains(">a&lt;&amp;&gt;b</tspan>"), "{svg}");
        assert!(!svg.contains("a<&"), "{svg}");
    }

    #[test]
    fn a_wide_char_spans_two_cells() {
        let svg = svg_of("日x", Style::new());
        // 日 alone over columns 0-1, x right after it in column 2.
        assert!(
            svg.contains(r##"<tspan x="12" textLength="18" fill="#d0d4dc">日</tspan>"##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"<tspan x="30" textLength="9" fill="#d0d4dc">x</tspan>"##),
            "{svg}"
        );
    }

    #[test]
    fn a_coloured_bold_cell_keeps_its_colours() {
        let style = Style::new().fg(Color::Red).bg(Color::Blue).bold();
        let svg = svg_of("A", style);
        assert!(
            svg.contains(r##"<rect x="12" y="12" width="9" height="18" fill="#61afef"/>"##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"fill="#e06c75" font-weight="bold">A</tspan>"##),
            "{svg}"
        );
    }

    #[test]
    fn reversed_swaps_foreground_and_background() {
        let svg = svg_of("R", Style::new().reversed());
        assert!(svg.contains(r##"fill="#d0d4dc"/>"##), "{svg}");
        assert!(svg.contains(r##"fill="#16181d">R</tspan>"##), "{svg}");
    }

    #[test]
    fn blank_rows_draw_no_text() {
        let svg = svg_of("", Style::new());
        assert!(!svg.contains("<text"), "{svg}");
        assert!(
            svg.starts_with("<svg ") && svg.ends_with("</svg>\n"),
            "{svg}"
        );
    }

    #[test]
    fn the_xterm_cube_and_greys() {
        assert_eq!(indexed(16), [0, 0, 0]);
        assert_eq!(indexed(196), [255, 0, 0]);
        assert_eq!(indexed(255), [238, 238, 238]);
    }
}
