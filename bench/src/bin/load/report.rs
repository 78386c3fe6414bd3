//! Medians, ranges and ratios of alternating runs, as a Markdown table.

/// A system the load tool measures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum System {
    /// tinyim's server.
    Tinyim,
    /// mosquitto, QoS1 in memory.
    Mosquitto,
    /// NATS: JetStream with a file stream synced on every write, NATS core
    /// for fan-out.
    Nats,
    /// ejabberd through its MQTT listener.
    Ejabberd,
}

impl System {
    /// Every system, in the table's column order.
    pub const ALL: [System; 4] = [
        System::Tinyim,
        System::Mosquitto,
        System::Nats,
        System::Ejabberd,
    ];

    /// Its name in the table and the progress lines.
    pub fn name(self) -> &'static str {
        match self {
            System::Tinyim => "tinyim",
            System::Mosquitto => "mosquitto",
            System::Nats => "NATS",
            System::Ejabberd => "ejabberd",
        }
    }
}

/// One figure measured over several runs of each system.
pub struct Row {
    /// What was measured.
    pub shape: String,
    /// Its unit.
    pub unit: &'static str,
    /// Each system's figure, one per run, in [`System::ALL`]'s order (empty
    /// for a system the shape does not run on).
    pub values: [Vec<f64>; 4],
    /// Whether a higher figure is better (throughput) or lower (latency, memory).
    pub higher_is_better: bool,
    /// The goal, as text.
    pub goal: &'static str,
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn range(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

fn figure(values: &[f64]) -> String {
    if values.is_empty() {
        return "-".into();
    }
    let (lo, hi) = range(values);
    format!("{:.0} ({:.0}-{:.0})", median(values), lo, hi)
}

/// Paired ratios (by run) of `ours` over `theirs`, oriented so that above
/// 1.0 means `ours` did better, as median (range); "-" when either is empty.
fn advantage(ours: &[f64], theirs: &[f64], higher_is_better: bool) -> String {
    let ratios: Vec<f64> = ours
        .iter()
        .zip(theirs)
        .map(|(o, t)| if higher_is_better { o / t } else { t / o })
        .collect();
    if ratios.is_empty() {
        return "-".into();
    }
    let (lo, hi) = range(&ratios);
    format!("{:.2}x ({:.2}-{:.2})", median(&ratios), lo, hi)
}

impl Row {
    /// A row with no figures yet.
    pub fn new(
        shape: String,
        unit: &'static str,
        higher_is_better: bool,
        goal: &'static str,
    ) -> Row {
        Row {
            shape,
            unit,
            values: Default::default(),
            higher_is_better,
            goal,
        }
    }

    /// Records one run's figure of `system`.
    pub fn push(&mut self, system: System, value: f64) {
        self.values[system as usize].push(value);
    }
}

/// The table, with a header: tinyim's figure, then each peer measured in
/// any row with tinyim's advantage over it. Rows of shapes that did not run
/// are left out.
pub fn table(rows: &[Row]) -> String {
    let peers: Vec<System> = System::ALL[1..]
        .iter()
        .copied()
        .filter(|p| rows.iter().any(|r| !r.values[*p as usize].is_empty()))
        .collect();
    let mut header = String::from("| shape | unit | tinyim median (range) |");
    let mut rule = String::from("|---|---|---|");
    for p in &peers {
        header.push_str(&format!(
            " {0} median (range) | tinyim vs {0} median (range) |",
            p.name()
        ));
        rule.push_str("---|---|");
    }
    let mut out = format!("{header} goal |\n{rule}---|\n");
    for row in rows
        .iter()
        .filter(|r| r.values.iter().any(|v| !v.is_empty()))
    {
        let ours = &row.values[System::Tinyim as usize];
        out.push_str(&format!(
            "| {} | {} | {} |",
            row.shape,
            row.unit,
            figure(ours)
        ));
        for p in &peers {
            let theirs = &row.values[*p as usize];
            out.push_str(&format!(
                " {} | {} |",
                figure(theirs),
                advantage(ours, theirs, row.higher_is_better)
            ));
        }
        out.push_str(&format!(" {} |\n", row.goal));
    }
    out
}

/// A figure of the machine itself, measured in the same run, that bounds
/// what the systems can do (the disk's durable write).
pub struct Reference {
    /// What was measured.
    pub what: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// One figure per run.
    pub values: Vec<f64>,
}

/// The machine's reference figures, as a table; empty when none was measured.
pub fn references(refs: &[Reference]) -> String {
    let measured: Vec<&Reference> = refs.iter().filter(|r| !r.values.is_empty()).collect();
    if measured.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n| the machine | unit | median (range) |\n|---|---|---|\n");
    for r in measured {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            r.what,
            r.unit,
            figure(&r.values)
        ));
    }
    out
}

/// One shape's figures on each setup of the stores comparison, one per run.
pub struct StoreRow {
    /// What was measured.
    pub shape: String,
    /// Its unit.
    pub unit: &'static str,
    /// Whether a higher figure is better.
    pub higher_is_better: bool,
    /// Per setup (in [`crate::stores::Setup::ALL`]'s order), one per run.
    pub values: [Vec<f64>; 3],
}

/// The stores comparison as a table: each setup's median (range), and the
/// PostgreSQL setups against SQLite per run (above 1.0: as good or better).
pub fn stores_table(rows: &[StoreRow]) -> String {
    let names = crate::stores::Setup::ALL.map(crate::stores::Setup::name);
    let mut out = format!(
        "| shape | unit | {} | {} | {} | {} vs SQLite | {} vs SQLite |\n|---|---|---|---|---|---|---|\n",
        names[0], names[1], names[2], names[1], names[2]
    );
    for row in rows {
        let against_sqlite = |other: &[f64]| advantage(other, &row.values[0], row.higher_is_better);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            row.shape,
            row.unit,
            figure(&row.values[0]),
            figure(&row.values[1]),
            figure(&row.values[2]),
            against_sqlite(&row.values[1]),
            against_sqlite(&row.values[2]),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(tinyim: &[f64], mosquitto: &[f64], higher_is_better: bool) -> Row {
        let mut row = Row::new("s".into(), "u", higher_is_better, "");
        row.values[0] = tinyim.to_vec();
        row.values[1] = mosquitto.to_vec();
        row
    }

    #[test]
    fn medians_ranges_and_ratios_paired_by_run() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(range(&[3.0, 1.0, 2.0]), (1.0, 3.0));
        // Throughput: tinyim over the peer; latency: the peer over tinyim.
        assert_eq!(
            advantage(&[20.0, 30.0], &[10.0, 10.0], true),
            "2.50x (2.00-3.00)"
        );
        assert_eq!(advantage(&[20.0], &[10.0], false), "0.50x (0.50-0.50)");
        assert_eq!(advantage(&[20.0], &[], false), "-");
    }

    #[test]
    fn the_table_has_columns_only_for_peers_measured() {
        let skipped = Row::new("not run".into(), "u", false, "");
        let only_tinyim = table(&[row(&[1.0, 3.0, 2.0], &[], false), skipped]);
        assert!(!only_tinyim.contains("not run"), "{only_tinyim}");
        assert!(
            only_tinyim.contains("| s | u | 2 (1-3) |  |"),
            "{only_tinyim}"
        );
        assert!(!only_tinyim.contains("mosquitto"), "{only_tinyim}");
        let mut with_nats = row(&[20.0], &[10.0], true);
        with_nats.push(System::Nats, 40.0);
        let both = table(&[with_nats]);
        assert!(
            both.contains("| tinyim vs mosquitto median (range) |"),
            "{both}"
        );
        assert!(
            both.contains("| s | u | 20 (20-20) | 10 (10-10) | 2.00x (2.00-2.00) | 40 (40-40) | 0.50x (0.50-0.50) |"),
            "{both}"
        );
    }

    #[test]
    fn references_list_only_what_was_measured() {
        let refs = [
            Reference {
                what: "measured",
                unit: "us",
                values: vec![3.0, 1.0, 2.0],
            },
            Reference {
                what: "skipped",
                unit: "us",
                values: Vec::new(),
            },
        ];
        let out = references(&refs);
        assert!(out.contains("| measured | us | 2 (1-3) |"), "{out}");
        assert!(!out.contains("skipped"), "{out}");
        assert_eq!(references(&refs[1..]), "");
    }
}
