//! The map's boundary data: Indonesia's 514 regencies/cities and 38 provinces as one TopoJSON
//! topology (`data/indonesia.topo.json.zst`, see `data/SOURCES.md`), decoded here.
//!
//! TopoJSON stores each border once, as an *arc* of quantised, delta-encoded points; a ring of
//! a polygon is a list of arc indexes, `~i` meaning arc `i` walked backwards. Decoding keeps
//! that sharing: the map simplifies each arc once, so neighbouring regencies keep exactly the
//! same border and no gap or overlap opens between them. The file is the shared geo folder's
//! `indonesia.topo.json` unchanged, zstd-compressed (156 kB instead of 521 kB in the binary).

use serde::Deserialize;

/// The embedded topology, compressed.
const TOPOLOGY_ZST: &[u8] = include_bytes!("data/indonesia.topo.json.zst");

/// A decoded topology: arcs in longitude/latitude (WGS84 degrees) and the two layers.
#[derive(Debug, Clone)]
pub struct Topology {
    /// Every arc, as absolute (longitude, latitude) points.
    pub arcs: Vec<Vec<[f64; 2]>>,
    /// The regencies/cities, sorted by code (`"3507"`).
    pub regencies: Vec<Shape>,
    /// The provinces, sorted by code (`"35"`).
    pub provinces: Vec<Shape>,
}

/// One feature: its Kemendagri code and name, and its polygons.
#[derive(Debug, Clone)]
pub struct Shape {
    pub code: String,
    pub name: String,
    /// Polygons; each is rings (the first the outer one); each ring a list of arc references.
    pub polygons: Vec<Vec<Vec<ArcRef>>>,
}

/// Arc `index` walked forwards, or backwards when `reversed` (TopoJSON's `~i`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArcRef {
    pub index: usize,
    pub reversed: bool,
}

impl ArcRef {
    fn from_topo(i: i64) -> ArcRef {
        if i < 0 {
            ArcRef { index: (!i) as usize, reversed: true }
        } else {
            ArcRef { index: i as usize, reversed: false }
        }
    }
}

#[derive(Deserialize)]
struct RawTopology {
    arcs: Vec<Vec<[f64; 2]>>,
    transform: Option<RawTransform>,
    objects: std::collections::BTreeMap<String, RawCollection>,
}

#[derive(Deserialize)]
struct RawTransform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct RawCollection {
    geometries: Vec<RawGeometry>,
}

#[derive(Deserialize)]
struct RawGeometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    arcs: serde_json::Value,
    properties: RawProperties,
}

#[derive(Deserialize)]
struct RawProperties {
    code: String,
    name: String,
}

impl Topology {
    /// The embedded topology of Indonesia.
    pub fn embedded() -> Topology {
        let json = zstd::decode_all(TOPOLOGY_ZST).expect("the embedded topology decompresses (checked by tests)");
        Topology::from_json(&json).expect("the embedded topology is valid TopoJSON (checked by tests)")
    }

    /// Decodes a TopoJSON topology holding the objects `regencies` and `provinces`, each a
    /// GeometryCollection of Polygon/MultiPolygon features with `code` and `name` properties.
    pub fn from_json(json: &[u8]) -> Result<Topology, String> {
        let raw: RawTopology = serde_json::from_slice(json).map_err(|e| format!("TopoJSON: {e}"))?;
        let (scale, translate) = match &raw.transform {
            Some(t) => (t.scale, t.translate),
            None => ([1.0, 1.0], [0.0, 0.0]),
        };
        let quantised = raw.transform.is_some();
        let arcs: Vec<Vec<[f64; 2]>> = raw.arcs.iter().map(|a| decode_arc(a, quantised, scale, translate)).collect();
        let layer = |name: &str| -> Result<Vec<Shape>, String> {
            let c = raw.objects.get(name).ok_or_else(|| format!("TopoJSON: no object {name:?}"))?;
            let mut shapes = c.geometries.iter().map(|g| shape(g, arcs.len())).collect::<Result<Vec<_>, _>>()?;
            shapes.sort_by(|a, b| a.code.cmp(&b.code));
            Ok(shapes)
        };
        Ok(Topology { regencies: layer("regencies")?, provinces: layer("provinces")?, arcs })
    }

    /// The points of `arc` in walking order.
    pub fn arc_points(&self, arc: ArcRef) -> impl Iterator<Item = [f64; 2]> + '_ {
        let pts = &self.arcs[arc.index];
        let n = pts.len();
        (0..n).map(move |i| pts[if arc.reversed { n - 1 - i } else { i }])
    }
}

/// Undoes delta encoding and quantisation: point k is the sum of the first k+1 deltas, times
/// `scale`, plus `translate`.
fn decode_arc(arc: &[[f64; 2]], quantised: bool, scale: [f64; 2], translate: [f64; 2]) -> Vec<[f64; 2]> {
    // Quantised deltas are integers: their sums in f64 are exact (far below 2^53).
    let (mut x, mut y) = (0.0f64, 0.0f64);
    arc.iter()
        .map(|&[dx, dy]| {
            if quantised {
                x += dx;
                y += dy;
                [x * scale[0] + translate[0], y * scale[1] + translate[1]]
            } else {
                [dx, dy]
            }
        })
        .collect()
}

fn shape(g: &RawGeometry, n_arcs: usize) -> Result<Shape, String> {
    let bad = |what: &str| format!("TopoJSON feature {}: {what}", g.properties.code);
    let ring = |v: &serde_json::Value| -> Result<Vec<ArcRef>, String> {
        let list = v.as_array().ok_or_else(|| bad("a ring is not a list"))?;
        list.iter()
            .map(|i| {
                let i = i.as_i64().ok_or_else(|| bad("an arc index is not an integer"))?;
                let r = ArcRef::from_topo(i);
                if r.index >= n_arcs {
                    return Err(bad("an arc index is out of range"));
                }
                Ok(r)
            })
            .collect()
    };
    let polygon = |v: &serde_json::Value| -> Result<Vec<Vec<ArcRef>>, String> {
        v.as_array().ok_or_else(|| bad("a polygon is not a list"))?.iter().map(ring).collect()
    };
    let polygons = match g.kind.as_str() {
        "Polygon" => vec![polygon(&g.arcs)?],
        "MultiPolygon" => g.arcs.as_array().ok_or_else(|| bad("not a list of polygons"))?.iter().map(polygon).collect::<Result<_, _>>()?,
        other => return Err(bad(&format!("geometry type {other} (expected Polygon or MultiPolygon)"))),
    };
    Ok(Shape { code: g.properties.code.clone(), name: g.properties.name.clone(), polygons })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-square topology: arc 0 is the shared border, walked backwards by the second.
    const TINY: &str = r#"{"type":"Topology","transform":{"scale":[0.5,0.25],"translate":[100,-10]},
      "arcs":[[[2,0],[0,4]],[[2,4],[-2,0],[0,-4],[2,0]],[[2,0],[2,0],[0,4],[-2,0]]],
      "objects":{
        "regencies":{"type":"GeometryCollection","geometries":[
          {"type":"Polygon","arcs":[[0,1]],"properties":{"code":"3507","name":"A"}},
          {"type":"MultiPolygon","arcs":[[[2,-1]]],"properties":{"code":"3501","name":"B"}}]},
        "provinces":{"type":"GeometryCollection","geometries":[
          {"type":"Polygon","arcs":[[1,2]],"properties":{"code":"35","name":"P"}}]}}}"#;

    #[test]
    fn arcs_are_delta_decoded_and_scaled() {
        let t = Topology::from_json(TINY.as_bytes()).unwrap();
        // (2,0) -> 100 + 2*0.5 = 101, -10; (2,4) -> 101, -9.
        assert_eq!(t.arcs[0], vec![[101.0, -10.0], [101.0, -9.0]]);
        assert_eq!(t.arcs[1], vec![[101.0, -9.0], [100.0, -9.0], [100.0, -10.0], [101.0, -10.0]]);
        let back: Vec<_> = t.arc_points(ArcRef { index: 0, reversed: true }).collect();
        assert_eq!(back, vec![[101.0, -9.0], [101.0, -10.0]]);
    }

    #[test]
    fn features_are_sorted_and_reversed_arcs_read() {
        let t = Topology::from_json(TINY.as_bytes()).unwrap();
        let codes: Vec<&str> = t.regencies.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["3501", "3507"]);
        assert_eq!(t.regencies[0].polygons, vec![vec![vec![ArcRef { index: 2, reversed: false }, ArcRef { index: 0, reversed: true }]]]);
        assert_eq!(t.provinces[0].name, "P");
    }

    #[test]
    fn bad_topologies_are_refused() {
        assert!(Topology::from_json(TINY.replace("[[0,1]]", "[[0,7]]").as_bytes()).is_err());
        assert!(Topology::from_json(TINY.replace("\"Polygon\",\"arcs\":[[1,2]]", "\"Point\",\"arcs\":[[1,2]]").as_bytes()).is_err());
        assert!(Topology::from_json(TINY.replace("\"provinces\"", "\"other\"").as_bytes()).is_err());
    }

    /// The embedded data: 514 regencies, 38 provinces, and Kab. Malang (3507) where it is:
    /// 112.29-112.96 E, 7.76-8.46 S (its bounding box, as read with Python from the source file).
    #[test]
    fn embedded_topology_has_every_region_in_place() {
        let t = Topology::embedded();
        assert_eq!(t.regencies.len(), 514);
        assert_eq!(t.provinces.len(), 38);
        assert_eq!(t.arcs.iter().map(Vec::len).sum::<usize>(), 42_509);
        let first = t.arcs[0][0];
        assert!((first[0] - 96.491_108_747).abs() < 1e-8 && (first[1] - 4.622_762_081).abs() < 1e-8, "{first:?}");
        let malang = t.regencies.iter().find(|s| s.code == "3507").unwrap();
        assert_eq!(malang.name, "Kabupaten Malang");
        let pts: Vec<[f64; 2]> =
            malang.polygons.iter().flatten().flatten().flat_map(|a| t.arc_points(*a)).collect();
        let min = |i: usize| pts.iter().map(|p| p[i]).fold(f64::INFINITY, f64::min);
        let max = |i: usize| pts.iter().map(|p| p[i]).fold(f64::NEG_INFINITY, f64::max);
        for (got, want) in [(min(0), 112.288_361), (max(0), 112.959_547), (min(1), -8.464_061), (max(1), -7.761_047)] {
            assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        }
        // Every current regency of the region table has a shape, and no other code does.
        let table = crate::nik::RegionTable::embedded();
        let mut current: Vec<String> = table.regencies.iter().filter(|r| r.is_current()).map(|r| format!("{:04}", r.code)).collect();
        current.sort();
        let shapes: Vec<String> = t.regencies.iter().map(|s| s.code.clone()).collect();
        assert_eq!(shapes, current);
    }
}
