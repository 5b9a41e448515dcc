//! The choropleth as SVG, drawn by takar from the embedded boundaries ([`topo`]).
//!
//! - **Projection.** Equirectangular (plate carrée): `x = (lon - 94.7) k`, `y = (6.3 - lat) k`
//!   with `k = 21.5` px per degree, so Indonesia (95-141 E, 6 N-11 S) fills a 1000-wide
//!   frame. Indonesia straddles the equator (cos 11° = 0.98), so the shapes are all but true.
//! - **Simplification.** Each shared arc is projected and simplified once (Douglas-Peucker,
//!   0.2 px), so two neighbours keep the very same border. Points are rounded to 0.1 px and
//!   written as relative moves (`l3.2-1.5`): a coordinate is a short decimal, never a long
//!   run of digits for the leak guard to trip on.
//! - **Java inset.** Most people live on Java, where a city is smaller than a pixel at country
//!   scale; a 3x inset of Java and Bali reuses the shapes (`<use>`), costing no geometry.
//!   Regencies still smaller than 1.5 px are drawn as a small dot.
//! - **Contract.** `<svg id="map">`; one element per regency, `data-code="3507"` (the current
//!   code) with a `<title>` holding its name and count; provinces carry `data-province="35"`.
//!   Every fill of every layer is in the element (`data-f0`, `data-f1`), so the page's layer
//!   switch only copies an attribute.

use std::fmt::Write as _;

use super::topo::{ArcRef, Topology};

/// Frame of the whole map (view-box units, i.e. CSS px at natural size).
pub const WIDTH: f64 = 1010.0;
pub const HEIGHT: f64 = 610.0;
/// Douglas-Peucker tolerance, in px at country scale.
const TOLERANCE: f64 = 0.2;
/// A regency whose box is smaller than this (px) is drawn as a dot of [`DOT_RADIUS`].
const DOT_BELOW: f64 = 1.5;
const DOT_RADIUS: f64 = 1.2;

/// An equirectangular projection: degrees to px.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Longitude at x = 0 and latitude at y = 0.
    pub lon0: f64,
    pub lat0: f64,
    /// px per degree.
    pub k: f64,
}

/// The country-scale projection of the map.
pub const NATIONAL: Projection = Projection { lon0: 94.7, lat0: 6.3, k: 21.5 };

impl Projection {
    pub fn project(&self, [lon, lat]: [f64; 2]) -> [f64; 2] {
        [(lon - self.lon0) * self.k, (self.lat0 - lat) * self.k]
    }
}

/// The Java-Bali inset: the window it shows (degrees), its zoom, and where it is drawn.
pub struct Inset {
    pub west: f64,
    pub east: f64,
    pub north: f64,
    pub south: f64,
    pub zoom: f64,
    /// Top-left corner of the inset frame (px).
    pub at: [f64; 2],
}

pub const JAVA: Inset = Inset { west: 105.05, east: 115.75, north: -5.75, south: -8.95, zoom: 3.0, at: [10.0, 392.0] };

impl Inset {
    /// The window in country-scale px: (x, y, width, height).
    pub fn window(&self) -> [f64; 4] {
        let [x0, y0] = NATIONAL.project([self.west, self.north]);
        let [x1, y1] = NATIONAL.project([self.east, self.south]);
        [x0, y0, x1 - x0, y1 - y0]
    }
    /// The frame on the page: (x, y, width, height).
    pub fn frame(&self) -> [f64; 4] {
        let [_, _, w, h] = self.window();
        [self.at[0], self.at[1], w * self.zoom, h * self.zoom]
    }
}

/// Douglas-Peucker simplification of a polyline, keeping both ends.
pub fn simplify(points: &[[f64; 2]], tolerance: f64) -> Vec<[f64; 2]> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0usize, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let (mut far, mut far_d) = (0usize, 0.0f64);
        for i in a + 1..b {
            let d = segment_distance(points[i], points[a], points[b]);
            if d > far_d {
                (far, far_d) = (i, d);
            }
        }
        if far_d > tolerance {
            keep[far] = true;
            stack.push((a, far));
            stack.push((far, b));
        }
    }
    points.iter().zip(&keep).filter(|(_, k)| **k).map(|(p, _)| *p).collect()
}

/// Distance from `p` to the segment `a`-`b`.
fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 { 0.0 } else { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) };
    let (qx, qy) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (qx * qx + qy * qy).sqrt()
}

/// A point in tenths of a px.
type Tenths = [i32; 2];

fn tenths([x, y]: [f64; 2]) -> Tenths {
    [(x * 10.0).round() as i32, (y * 10.0).round() as i32]
}

/// `t` tenths as a short decimal: `123` -> `12.3`, `-5` -> `-.5`, `40` -> `4`.
fn num(out: &mut String, t: i32) {
    if t < 0 {
        out.push('-');
    }
    let a = t.unsigned_abs();
    let (int, frac) = (a / 10, a % 10);
    if int > 0 || frac == 0 {
        let _ = write!(out, "{int}");
    }
    if frac > 0 {
        let _ = write!(out, ".{frac}");
    }
}

/// Appends `n` after a previous number: a minus sign separates by itself, else a space.
fn next_num(out: &mut String, t: i32) {
    if t >= 0 {
        out.push(' ');
    }
    num(out, t);
}

/// The boundaries, projected and simplified once, ready to be written as paths.
pub struct Geometry {
    /// Each arc in tenths of a px, simplified.
    arcs: Vec<Vec<Tenths>>,
    topo: Topology,
}

impl Geometry {
    pub fn new(topo: Topology) -> Geometry {
        let arcs = topo
            .arcs
            .iter()
            .map(|arc| {
                let projected: Vec<[f64; 2]> = arc.iter().map(|p| NATIONAL.project(*p)).collect();
                let mut out: Vec<Tenths> = simplify(&projected, TOLERANCE).into_iter().map(tenths).collect();
                out.dedup();
                out
            })
            .collect();
        Geometry { arcs, topo }
    }

    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// The rings of a shape's polygons, in tenths, closing point dropped; rings that
    /// simplification left with fewer than 3 points are dropped.
    fn rings(&self, polygons: &[Vec<Vec<ArcRef>>]) -> Vec<Vec<Tenths>> {
        let mut out = Vec::new();
        for ring in polygons.iter().flatten() {
            let mut pts: Vec<Tenths> = Vec::new();
            for arc in ring {
                let a = &self.arcs[arc.index];
                let walk: Box<dyn Iterator<Item = &Tenths>> = if arc.reversed { Box::new(a.iter().rev()) } else { Box::new(a.iter()) };
                for (i, p) in walk.enumerate() {
                    if i == 0 && !pts.is_empty() {
                        continue;
                    }
                    pts.push(*p);
                }
            }
            pts.dedup();
            if pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            if pts.len() >= 3 {
                out.push(pts);
            }
        }
        out
    }

    /// The box of a shape at full detail, in px: (min x, min y, max x, max y).
    fn bbox(&self, polygons: &[Vec<Vec<ArcRef>>]) -> [f64; 4] {
        let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for arc in polygons.iter().flatten().flatten() {
            for p in &self.topo.arcs[arc.index] {
                let [x, y] = NATIONAL.project(*p);
                b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
        }
        b
    }

    /// The `d` attribute of a shape: its rings, or a dot when it is smaller than
    /// [`DOT_BELOW`] px (or simplification left nothing of it).
    pub fn path(&self, polygons: &[Vec<Vec<ArcRef>>], dot_if_small: bool) -> String {
        let rings = self.rings(polygons);
        let b = self.bbox(polygons);
        let mut d = String::new();
        if dot_if_small && (rings.is_empty() || (b[2] - b[0]).max(b[3] - b[1]) < DOT_BELOW) {
            let [cx, cy] = tenths([(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]);
            let r = (DOT_RADIUS * 10.0) as i32;
            d.push('M');
            num(&mut d, cx - r);
            next_num(&mut d, cy);
            // Two half circles: right, then back left.
            for dx in [2 * r, -2 * r] {
                d.push('a');
                num(&mut d, r);
                next_num(&mut d, r);
                d.push_str(" 0 1 0");
                next_num(&mut d, dx);
                d.push_str(" 0");
            }
            d.push('z');
            return d;
        }
        for ring in rings {
            d.push('M');
            num(&mut d, ring[0][0]);
            next_num(&mut d, ring[0][1]);
            d.push('l');
            let mut first = true;
            for w in ring.windows(2) {
                let (dx, dy) = (w[1][0] - w[0][0], w[1][1] - w[0][1]);
                if first {
                    num(&mut d, dx);
                    first = false;
                } else {
                    next_num(&mut d, dx);
                }
                next_num(&mut d, dy);
            }
            d.push('z');
        }
        d
    }

    /// Whether a shape's box meets the inset's window.
    pub fn in_inset(&self, polygons: &[Vec<Vec<ArcRef>>], inset: &Inset) -> bool {
        let b = self.bbox(polygons);
        let [x, y, w, h] = inset.window();
        b[2] >= x && b[0] <= x + w && b[3] >= y && b[1] <= y + h
    }
}

/// What the map shows of one regency (current code, as in the topology).
pub struct RegencyPaint {
    pub code: String,
    /// The tooltip: name, province, figures (plain text, escaped when written).
    pub title: String,
    /// The fill of each layer (a colour).
    pub fills: Vec<&'static str>,
}

/// One layer's legend: its title and (colour, label) classes.
pub struct Legend {
    pub title: String,
    pub items: Vec<(&'static str, String)>,
}

/// Everything the map needs besides the geometry.
pub struct MapContent<'a> {
    /// Per regency of the topology (matched by code; a missing one is drawn empty).
    pub regencies: &'a [RegencyPaint],
    pub legends: &'a [Legend],
    pub inset_label: &'a str,
    pub empty_fill: &'static str,
    /// An accessible name of the map.
    pub label: &'a str,
}

/// `&`, `<`, `>`, `"` and `'` escaped for XML/HTML text and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The map as one `<svg id="map">` element (also a standalone SVG file).
pub fn render(geo: &Geometry, content: &MapContent<'_>) -> String {
    let topo = geo.topology();
    let mut o = String::with_capacity(400 << 10);
    let _ = writeln!(
        o,
        "<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{}\">",
        escape(content.label)
    );
    o.push_str(
        "<style>\
         #map{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:11px}\
         #map [data-code]{stroke:#fff;stroke-width:.35;vector-effect:non-scaling-stroke}\
         #map [data-code]:hover,#map use:hover{stroke:#000;stroke-width:1.2}\
         #map [data-province]{fill:none;stroke:#4a4a4a;stroke-width:.7;vector-effect:non-scaling-stroke;pointer-events:none}\
         #map .frame{fill:none;stroke:#888;stroke-width:.8}\
         #map .window{fill:none;stroke:#888;stroke-width:.6;stroke-dasharray:3 2}\
         </style>\n",
    );
    let inset = &JAVA;
    let [fx, fy, fw, fh] = inset.frame();
    let _ = writeln!(o, "<defs><clipPath id=\"inset-clip\"><rect x=\"{fx:.1}\" y=\"{fy:.1}\" width=\"{fw:.1}\" height=\"{fh:.1}\"/></clipPath></defs>");

    let paint = |code: &str| content.regencies.iter().find(|r| r.code == code);
    let mut in_inset: Vec<(String, String)> = Vec::new();
    o.push_str("<g id=\"regencies\">\n");
    for shape in &topo.regencies {
        let d = geo.path(&shape.polygons, true);
        let (title, fills) = match paint(&shape.code) {
            Some(p) => (p.title.clone(), p.fills.clone()),
            None => (shape.name.clone(), vec![content.empty_fill; content.legends.len().max(1)]),
        };
        let _ = write!(o, "<path id=\"r{0}\" data-code=\"{0}\" fill=\"{1}\"", shape.code, fills[0]);
        for (i, f) in fills.iter().enumerate() {
            let _ = write!(o, " data-f{i}=\"{f}\"");
        }
        let title = escape(&title);
        let _ = writeln!(o, " d=\"{d}\"><title>{title}</title></path>");
        if geo.in_inset(&shape.polygons, inset) {
            in_inset.push((shape.code.clone(), title));
        }
    }
    o.push_str("</g>\n<g id=\"provinces\">\n");
    let mut provinces_in_inset = Vec::new();
    for p in &topo.provinces {
        // Presentation attributes, not only the style sheet: the inset's `<use>` copies may
        // not see the page's CSS (an unstyled copy would be filled black).
        let _ = writeln!(
            o,
            "<path id=\"p{0}\" data-province=\"{0}\" fill=\"none\" stroke=\"#4a4a4a\" stroke-width=\".7\" vector-effect=\"non-scaling-stroke\" d=\"{1}\"/>",
            p.code,
            geo.path(&p.polygons, false)
        );
        if geo.in_inset(&p.polygons, inset) {
            provinces_in_inset.push(p.code.clone());
        }
    }
    o.push_str("</g>\n");

    // The inset: the window marked on the country, then the same shapes, 3x.
    let [wx, wy, ww, wh] = inset.window();
    let _ = writeln!(o, "<rect class=\"window\" x=\"{wx:.1}\" y=\"{wy:.1}\" width=\"{ww:.1}\" height=\"{wh:.1}\"/>");
    let (tx, ty) = (fx - wx * inset.zoom, fy - wy * inset.zoom);
    let _ = writeln!(
        o,
        "<g id=\"inset\" clip-path=\"url(#inset-clip)\"><rect x=\"{fx:.1}\" y=\"{fy:.1}\" width=\"{fw:.1}\" height=\"{fh:.1}\" fill=\"#fff\"/>\
         <g transform=\"translate({tx:.1} {ty:.1}) scale({})\" stroke=\"#fff\" stroke-width=\".35\">",
        inset.zoom
    );
    for (code, title) in &in_inset {
        let _ = writeln!(o, "<use xlink:href=\"#r{code}\" data-ref=\"{code}\"><title>{title}</title></use>");
    }
    for code in &provinces_in_inset {
        let _ = writeln!(o, "<use xlink:href=\"#p{code}\"/>");
    }
    let _ = writeln!(
        o,
        "</g></g><rect class=\"frame\" x=\"{fx:.1}\" y=\"{fy:.1}\" width=\"{fw:.1}\" height=\"{fh:.1}\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#444\">{}</text>",
        fx,
        fy - 5.0,
        escape(content.inset_label)
    );

    // Legends, one per layer; only the first is shown until the page switches layers.
    let lx = fx + fw + 24.0;
    for (i, legend) in content.legends.iter().enumerate() {
        let hidden = if i == 0 { "" } else { " display=\"none\"" };
        let _ = write!(o, "<g class=\"legend\" data-layer=\"{i}\"{hidden} transform=\"translate({lx:.1} {:.1})\">", fy + 10.0);
        let _ = write!(o, "<text x=\"0\" y=\"0\" font-weight=\"600\">{}</text>", escape(&legend.title));
        for (j, (colour, label)) in legend.items.iter().enumerate() {
            let y = 12 + j * 18;
            let _ = write!(
                o,
                "<rect x=\"0\" y=\"{y}\" width=\"22\" height=\"13\" fill=\"{colour}\" stroke=\"#999\" stroke-width=\".5\"/>\
                 <text x=\"30\" y=\"{}\">{}</text>",
                y + 10,
                escape(label)
            );
        }
        o.push_str("</g>\n");
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_of_known_places() {
        // Jakarta (106.85 E, 6.2 S), Jayapura (140.7 E, 2.5 S), Sabang (95.3 E, 5.9 N).
        let near = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9;
        assert!(near(NATIONAL.project([106.85, -6.2]), [261.225, 268.75]));
        assert!(near(NATIONAL.project([140.7, -2.5]), [989.0, 189.2]));
        assert!(near(NATIONAL.project([95.3, 5.9]), [12.9, 8.6]));
        // The whole country fits in the frame, above the inset.
        let [x, y] = NATIONAL.project([141.02, -11.01]);
        assert!(x < WIDTH && y < JAVA.frame()[1], "{x} {y}");
        let [fx, fy, fw, fh] = JAVA.frame();
        assert!(fx + fw < WIDTH - 200.0 && fy + fh <= HEIGHT, "the inset leaves room for the legend");
    }

    #[test]
    fn simplify_drops_points_within_tolerance_and_keeps_ends() {
        let line = [[0.0, 0.0], [1.0, 0.05], [2.0, -0.05], [3.0, 0.0], [3.0, 5.0]];
        assert_eq!(simplify(&line, 0.2), vec![[0.0, 0.0], [3.0, 0.0], [3.0, 5.0]]);
        assert_eq!(simplify(&line, 0.01), line.to_vec());
        assert_eq!(simplify(&line[..2], 10.0), line[..2].to_vec());
    }

    #[test]
    fn numbers_are_short_decimals() {
        let mut s = String::new();
        for t in [123, -5, 40, 0, -120, 7] {
            next_num(&mut s, t);
        }
        assert_eq!(s, " 12.3-.5 4 0-12 .7");
    }

    #[test]
    fn path_of_a_square_and_of_a_dot() {
        let topo = Topology::from_json(
            br#"{"type":"Topology","arcs":[[[100.3,0.3],[100.3,-0.7],[101.3,-0.7],[101.3,0.3],[100.3,0.3]],[[100.3,0.3],[100.31,0.3],[100.31,0.29],[100.3,0.3]]],
            "objects":{"regencies":{"type":"GeometryCollection","geometries":[
              {"type":"Polygon","arcs":[[0]],"properties":{"code":"1","name":"a"}},
              {"type":"Polygon","arcs":[[1]],"properties":{"code":"2","name":"b"}}]},
            "provinces":{"type":"GeometryCollection","geometries":[]}}}"#,
        )
        .unwrap();
        let geo = Geometry::new(topo);
        // 100.3 E, 0.3 N -> (120.4, 129); one degree is 21.5 px.
        let square = geo.path(&geo.topology().regencies[0].polygons, true);
        assert_eq!(square, "M120.4 129l0 21.5 21.5 0 0-21.5z");
        // A 0.2 px shape: a dot of radius 1.2 around its centre (120.5, 129.1).
        let dot = geo.path(&geo.topology().regencies[1].polygons, true);
        assert_eq!(dot, "M119.3 129.1a1.2 1.2 0 1 0 2.4 0a1.2 1.2 0 1 0-2.4 0z");
    }

    #[test]
    fn escape_text() {
        assert_eq!(escape("Kab. <A> & \"B\"\u{1b}"), "Kab. &lt;A&gt; &amp; &quot;B&quot; ");
    }
}
