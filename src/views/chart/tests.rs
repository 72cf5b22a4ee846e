//! Unit tests of the charts, with a small XML well-formedness checker.

use super::scale::{x_ticks, y_ticks};
use super::*;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, day).unwrap()
}

/// Minimal well-formedness check: balanced, properly nested tags, quoted attributes,
/// no stray `<`, and only valid entity references. Returns the root element names.
fn check_xml(s: &str) -> Result<Vec<String>, String> {
    fn check_entities(t: &str) -> Result<(), String> {
        let mut rest = t;
        while let Some(i) = rest.find('&') {
            let after = &rest[i + 1..];
            let end = after.find(';').ok_or_else(|| format!("bare & in {t:?}"))?;
            let name = &after[..end];
            let ok = matches!(name, "lt" | "gt" | "amp" | "quot" | "apos")
                || (name.starts_with("#x")
                    && name.len() > 2
                    && name[2..].chars().all(|c| c.is_ascii_hexdigit()))
                || (name.starts_with('#')
                    && name.len() > 1
                    && name[1..].chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(format!("bad entity &{name}; in {t:?}"));
            }
            rest = &after[end + 1..];
        }
        Ok(())
    }
    let mut stack: Vec<String> = Vec::new();
    let mut roots = Vec::new();
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        check_entities(&rest[..lt])?;
        if stack.is_empty() && !rest[..lt].trim().is_empty() {
            return Err(format!("text outside root: {:?}", &rest[..lt]));
        }
        let tag_start = &rest[lt + 1..];
        // Find the closing '>' outside quotes.
        let mut quote: Option<char> = None;
        let mut end = None;
        for (i, ch) in tag_start.char_indices() {
            match (quote, ch) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '<') => return Err("< inside attribute".into()),
                (Some(_), _) => {}
                (None, '"') | (None, '\'') => quote = Some(ch),
                (None, '<') => return Err("< inside tag".into()),
                (None, '>') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or("unterminated tag")?;
        let tag = &tag_start[..end];
        rest = &tag_start[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or_else(|| format!("stray </{name}>"))?;
            if open != name.trim() {
                return Err(format!("<{open}> closed by </{name}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == ':')
        {
            return Err(format!("bad tag name in <{tag}>"));
        }
        // Attributes: name="value" pairs.
        let mut attrs = body[name.len()..].trim();
        let mut seen = Vec::new();
        while !attrs.is_empty() {
            let eq = attrs
                .find('=')
                .ok_or_else(|| format!("attribute without value in <{tag}>"))?;
            let aname = attrs[..eq].trim();
            if aname.is_empty() || aname.contains(char::is_whitespace) {
                return Err(format!("bad attribute name in <{tag}>"));
            }
            if seen.contains(&aname) {
                return Err(format!("duplicate attribute {aname}"));
            }
            seen.push(aname);
            let v = attrs[eq + 1..].trim_start();
            let q = v
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .ok_or("unquoted attribute")?;
            let close = v[1..].find(q).ok_or("unterminated attribute")?;
            check_entities(&v[1..1 + close])?;
            attrs = v[close + 2..].trim_start();
        }
        if stack.is_empty() {
            roots.push(name.clone());
        }
        if !self_closing {
            stack.push(name);
        }
    }
    check_entities(rest)?;
    if !rest.trim().is_empty() && stack.is_empty() {
        return Err("text after root".into());
    }
    if let Some(open) = stack.pop() {
        return Err(format!("unclosed <{open}>"));
    }
    Ok(roots)
}

fn svg_part(s: &str) -> &str {
    let start = s.find("<svg").expect("has <svg");
    let end = s.find("</svg>").expect("has </svg>") + "</svg>".len();
    &s[start..end]
}

fn two_series() -> Vec<Series> {
    vec![
        Series {
            name: "Sam".into(),
            points: vec![(d(3, 10), 6), (d(3, 3), 4), (d(3, 17), 7)],
        },
        Series {
            name: "Alex".into(),
            points: vec![(d(3, 3), 5), (d(3, 12), 5), (d(5, 1), 9)],
        },
    ]
}

fn chart<'a>(
    series: &'a [Series],
    setbacks: &'a [Marker],
    sessions: &'a [Marker],
) -> TrustChart<'a> {
    TrustChart {
        title: "Trust over time",
        from: d(3, 1),
        to: d(3, 31),
        min: 0,
        max: 10,
        series,
        setbacks,
        sessions,
    }
}

/// Fixed inputs whose rendering is pinned byte for byte in `golden/`.
fn golden_cases() -> Vec<(&'static str, String)> {
    let series = two_series();
    let setbacks = [
        Marker {
            date: d(3, 8),
            label: "Argument & <silence>".into(),
        },
        Marker {
            date: d(3, 21),
            label: "Late night".into(),
        },
    ];
    let sessions = [
        Marker {
            date: d(3, 5),
            label: "Session 4".into(),
        },
        Marker {
            date: d(1, 9),
            label: "Session 1".into(),
        },
    ];
    let full = trust_chart(&chart(&series, &setbacks, &sessions)).into_string();
    let many: Vec<Series> = (0..9)
        .map(|i| Series {
            name: format!("Partner number {i} with a rather long name indeed, truly"),
            points: vec![(d(1, 2), i), (d(2, 5), i + 1), (d(2, 5), i + 2)],
        })
        .collect();
    let wide = TrustChart {
        title: "Across the new year",
        from: NaiveDate::from_ymd_opt(2024, 11, 20).unwrap(),
        to: d(2, 14),
        min: 1,
        max: 5,
        series: &many,
        setbacks: &[],
        sessions: &sessions,
    };
    let wide = trust_chart(&wide).into_string();
    let one = vec![Series {
        name: "Sam".into(),
        points: vec![(d(3, 9), 7)],
    }];
    let spark = [
        sparkline(&series, 0, 10, "Trust for Sam and Alex").into_string(),
        sparkline(&one, 0, 10, "Trust for Sam").into_string(),
        sparkline(&[], 0, 10, "Trust for nobody").into_string(),
    ]
    .join("\n");
    vec![
        ("trust.svg", full),
        ("trust_wide.svg", wide),
        ("sparkline.svg", spark),
    ]
}

/// The stored renderings were made from the chart code before it was split into
/// modules; the split (and any later tidying) must keep every byte.
#[test]
fn renderings_match_the_stored_ones() {
    let stored = [
        include_str!("golden/trust.svg"),
        include_str!("golden/trust_wide.svg"),
        include_str!("golden/sparkline.svg"),
    ];
    let cases = golden_cases();
    assert_eq!(cases.len(), stored.len());
    for ((name, out), expected) in cases.iter().zip(stored) {
        assert!(
            out == expected,
            "{name} differs from the stored rendering:\n{out}"
        );
    }
}

#[test]
fn checker_rejects_bad_xml() {
    assert!(check_xml("<a><b></a></b>").is_err());
    assert!(check_xml("<a>x & y</a>").is_err());
    assert!(check_xml("<a><b></b>").is_err());
    assert!(check_xml("<a x=1></a>").is_err());
    assert!(check_xml("<a x=\"1\" x=\"2\"></a>").is_err());
    assert!(check_xml("<a x=\"1\"><b/>&amp;&#38;</a>").is_ok());
}

#[test]
fn chart_is_well_formed_and_accessible() {
    let series = two_series();
    let setbacks = [Marker {
        date: d(3, 8),
        label: "Argument".into(),
    }];
    let sessions = [Marker {
        date: d(3, 5),
        label: "Session 4".into(),
    }];
    let out = trust_chart(&chart(&series, &setbacks, &sessions)).into_string();
    let svg = svg_part(&out);
    assert_eq!(check_xml(svg), Ok(vec!["svg".to_string()]));
    assert_eq!(check_xml(&out), Ok(vec!["figure".to_string()]));
    assert!(out.starts_with("<figure class=\"chart\">"));
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("<title id=\"chart-"));
    assert!(svg.contains("<desc id=\"chart-"));
    assert!(svg.contains("viewBox=\"0 0 720 280\""));
    assert!(svg.contains("stroke=\"currentColor\""));
    // aria-labelledby points at the title and desc ids.
    let ids_at = svg.find("aria-labelledby=\"").unwrap() + "aria-labelledby=\"".len();
    let ids = &svg[ids_at..ids_at + svg[ids_at..].find('"').unwrap()];
    for id in ids.split(' ') {
        assert!(svg.contains(&format!("id=\"{id}\"")), "missing id {id}");
    }
    // One polyline per multi-point series, with distinct colour and dash.
    assert_eq!(svg.matches("<polyline").count(), 2);
    assert!(svg.contains("stroke-dasharray=\"8 4\""));
    assert!(svg.contains(COLOURS[0]) && svg.contains(COLOURS[1]));
    // Alex's 1 May point is clipped: 3 + 2 points in range, plus 2 legend dots.
    assert_eq!(svg.matches("<circle").count(), 5 + 2);
    // Markers and legend.
    assert!(svg.contains(SETBACK_COLOUR) && svg.contains(SESSION_COLOUR));
    assert!(svg.contains(">Setback</text>") && svg.contains(">Session</text>"));
    assert!(svg.contains(">Sam</text>") && svg.contains(">Alex</text>"));
    assert!(svg.contains(">1 Mar</text>") && svg.contains(">7 Mar</text>"));
    assert!(out.contains("<caption>Trust over time</caption>"));
    assert!(out.contains("<td>Argument</td>") && out.contains("<td>Session 4</td>"));
}

#[test]
fn user_text_is_escaped_everywhere() {
    let evil = "<script>&\"";
    let escaped = "&lt;script&gt;&amp;&quot;";
    let series = vec![Series {
        name: evil.into(),
        points: vec![(d(3, 3), 4), (d(3, 9), 6)],
    }];
    let markers = [Marker {
        date: d(3, 4),
        label: evil.into(),
    }];
    let c = TrustChart {
        title: evil,
        ..chart(&series, &markers, &markers)
    };
    let out = trust_chart(&c).into_string();
    assert!(!out.contains("<script"));
    assert!(!out.contains(evil));
    let svg = svg_part(&out);
    assert!(
        svg.contains(&format!(">{escaped}</text>")),
        "legend escaped"
    );
    let table_at = out.find("<table").unwrap();
    let table = &out[table_at..];
    assert!(table.contains(&format!("<th scope=\"col\">{escaped}</th>")));
    assert!(table.contains(&format!("<td>{escaped}</td>")));
    check_xml(svg).unwrap();
    check_xml(&out).unwrap();

    let spark = sparkline(&series, 0, 10, evil).into_string();
    assert!(!spark.contains(evil));
    assert!(spark.contains(escaped));
    check_xml(&spark).unwrap();
}

#[test]
fn table_has_one_row_per_distinct_date() {
    let series = two_series();
    let out = trust_chart(&chart(&series, &[], &[])).into_string();
    let table_at = out.find("<table").unwrap();
    let tbody = &out[out[table_at..].find("<tbody>").unwrap() + table_at..];
    let tbody = &tbody[..tbody.find("</tbody>").unwrap()];
    // In range: 3, 10, 12, 17 March (3 March is shared; 1 May is clipped).
    assert_eq!(tbody.matches("<tr>").count(), 4);
    assert!(tbody.contains("datetime=\"2025-03-03\""));
    assert!(!tbody.contains("2025-05-01"));
    // Rows are in date order and a missing value is a dash.
    let r3 = tbody.find("2025-03-03").unwrap();
    let r10 = tbody.find("2025-03-10").unwrap();
    assert!(r3 < r10);
    assert!(tbody.contains("<td>6</td><td>—</td>"));
    // No marker table without markers.
    assert!(!out.contains("chart-events"));
}

#[test]
fn empty_data_gives_fallback() {
    let none: Vec<Series> = Vec::new();
    let out = trust_chart(&chart(&none, &[], &[])).into_string();
    assert!(out.contains("No ratings in this period yet."));
    assert!(!out.contains("<svg"));

    let outside = vec![Series {
        name: "Sam".into(),
        points: vec![(d(4, 2), 5)],
    }];
    let out = trust_chart(&chart(&outside, &[], &[])).into_string();
    assert!(out.contains("No ratings in this period yet."));

    let empty_series = vec![Series {
        name: "Sam".into(),
        points: vec![],
    }];
    let spark = sparkline(&empty_series, 0, 10, "Trust for Sam").into_string();
    assert!(spark.contains('—'));
    assert!(!spark.contains("<svg"));
    assert!(sparkline(&[], 0, 10, "x").into_string().contains('—'));
}

#[test]
fn single_point_is_a_dot() {
    let series = vec![Series {
        name: "Sam".into(),
        points: vec![(d(3, 9), 7)],
    }];
    let out = trust_chart(&chart(&series, &[], &[])).into_string();
    let svg = svg_part(&out);
    check_xml(svg).unwrap();
    assert!(!svg.contains("<polyline"));
    assert_eq!(svg.matches("<circle").count(), 2); // point + legend
    let spark = sparkline(&series, 0, 10, "Trust for Sam").into_string();
    check_xml(&spark).unwrap();
    assert!(spark.contains("<circle"));
    assert!(spark.contains("Trust for Sam: 7 on 9 Mar 2025"));
}

#[test]
fn min_equal_max_and_degenerate_ranges_do_not_panic() {
    let series = two_series();
    let c = TrustChart {
        min: 5,
        max: 5,
        ..chart(&series, &[], &[])
    };
    let out = trust_chart(&c).into_string();
    check_xml(svg_part(&out)).unwrap();
    assert!(!out.contains("NaN") && !out.contains("inf"));

    // from == to, and from > to.
    let c = TrustChart {
        from: d(3, 3),
        to: d(3, 3),
        ..chart(&series, &[], &[])
    };
    let out = trust_chart(&c).into_string();
    assert!(!out.contains("NaN"));
    let c = TrustChart {
        from: d(3, 31),
        to: d(3, 1),
        ..chart(&series, &[], &[])
    };
    let out = trust_chart(&c).into_string();
    assert!(out.contains("<svg"));

    // Extreme axis values.
    let c = TrustChart {
        min: i32::MIN,
        max: i32::MAX,
        ..chart(&series, &[], &[])
    };
    check_xml(svg_part(&trust_chart(&c).into_string())).unwrap();

    let spark = sparkline(&series, 3, 3, "Trust").into_string();
    assert!(!spark.contains("NaN"));
    let same_day = vec![Series {
        name: "S".into(),
        points: vec![(d(3, 3), 1), (d(3, 3), 2)],
    }];
    let spark = sparkline(&same_day, 0, 0, "Trust").into_string();
    assert!(!spark.contains("NaN"));
}

#[test]
fn markers_outside_range_are_dropped() {
    let series = two_series();
    let setbacks = [
        Marker {
            date: d(2, 20),
            label: "Too early".into(),
        },
        Marker {
            date: d(3, 20),
            label: "Inside".into(),
        },
    ];
    let sessions = [Marker {
        date: d(4, 1),
        label: "Too late".into(),
    }];
    let out = trust_chart(&chart(&series, &setbacks, &sessions)).into_string();
    assert!(!out.contains("Too early") && !out.contains("Too late"));
    assert!(out.contains("Inside"));
    assert_eq!(out.matches("<g class=\"setback\">").count(), 1);
    assert_eq!(out.matches("<g class=\"session\">").count(), 0);
    // No session legend entry when no session is in range.
    assert!(!out.contains(">Session</text>"));
}

#[test]
fn sparkline_points_match_data() {
    let series = two_series();
    let out = sparkline(&series, 0, 10, "Trust for Sam and Alex").into_string();
    check_xml(&out).unwrap();
    assert!(out.starts_with("<svg class=\"sparkline\""));
    assert!(out.contains("viewBox=\"0 0 120 32\"") && out.contains("role=\"img\""));
    let counts: Vec<usize> = out
        .match_indices("points=\"")
        .map(|(i, m)| {
            let rest = &out[i + m.len()..];
            rest[..rest.find('"').unwrap()].split_whitespace().count()
        })
        .collect();
    assert_eq!(counts, vec![3, 3]);
    assert!(
        out.contains("aria-label=\"Trust for Sam and Alex: Sam 4 to 7, Alex 5 to 9 over 59 days\"")
    );
    assert!(!out.contains("<line") && !out.contains("<text"));

    // At most two series.
    let mut three = two_series();
    three.push(Series {
        name: "Third".into(),
        points: vec![(d(3, 3), 1)],
    });
    let out = sparkline(&three, 0, 10, "x").into_string();
    assert_eq!(out.matches("<polyline").count(), 2);

    let one = vec![Series {
        name: "Sam".into(),
        points: vec![(d(3, 3), 4), (d(3, 17), 7)],
    }];
    let out = sparkline(&one, 0, 10, "Trust for Sam").into_string();
    assert!(out.contains("aria-label=\"Trust for Sam: 4 to 7 over 14 days\""));
}

#[test]
fn coordinates_are_rounded_and_sorted() {
    let series = vec![Series {
        name: "Sam".into(),
        points: vec![(d(3, 17), 7), (d(3, 2), 3), (d(3, 9), 6)],
    }];
    let out = trust_chart(&chart(&series, &[], &[])).into_string();
    let at = out.find("<polyline points=\"").unwrap() + "<polyline points=\"".len();
    let pts = &out[at..at + out[at..].find('"').unwrap()];
    let xs: Vec<f64> = pts
        .split_whitespace()
        .map(|p| {
            for n in p.split(',') {
                let dec = n.split('.').nth(1).map_or(0, str::len);
                assert!(dec <= 1, "{n} has more than one decimal");
            }
            p.split(',').next().unwrap().parse().unwrap()
        })
        .collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "sorted by date: {pts}");
}

#[test]
fn ticks_are_sensible() {
    assert_eq!(y_ticks(0, 10), (0..=10).collect::<Vec<_>>());
    assert_eq!(
        y_ticks(0, 100),
        (0..=10).map(|v| v * 10).collect::<Vec<_>>()
    );
    assert_eq!(y_ticks(7, 7), vec![7]);
    assert_eq!(y_ticks(10, 0).len(), 11);
    let t = x_ticks(d(3, 1), d(3, 31));
    assert!((4..=7).contains(&t.len()), "{t:?}");
    assert_eq!(t[0], d(3, 1));
    assert_eq!(x_ticks(d(3, 1), d(3, 1)).len(), 1);
    assert_eq!(x_ticks(d(3, 1), d(3, 2)).len(), 2);
    assert_eq!(num(-0.04), "0");
    assert_eq!(num(12.345), "12.3");
}

#[test]
fn long_legends_wrap_and_grow_the_viewbox() {
    let series: Vec<Series> = (0..8)
        .map(|i| Series {
            name: format!("Partner number {i} with a rather long name indeed, truly"),
            points: vec![(d(3, 2), i), (d(3, 5), i + 1)],
        })
        .collect();
    let out = trust_chart(&chart(&series, &[], &[])).into_string();
    let svg = svg_part(&out);
    check_xml(svg).unwrap();
    assert!(!svg.contains("viewBox=\"0 0 720 280\""));
    assert!(svg.contains('…'));
}
