//! The printable pages (SPEC §7): the compliance report and the ISO/IEC
//! 27001 Statement of Applicability. No site navigation; `/print.css` lays
//! them out on A4 with a running header (the `<thead>` of the frame table
//! repeats on every printed page), a page break before each framework, and
//! every status as text so they read in black and white.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::error_page::AppErrorPage;
use crate::domain::compliance::{RequirementStatus, ScoreBand, StatusCounts};
use crate::domain::control::ControlStatus;
use crate::serverfn::print::{
    generated_label, load_compliance_report, load_soa, ComplianceReport, ReportFinding,
    ReportFramework, ReportRequirement, Soa, SoaRow, SoaTheme,
};

fn date(value: Option<NaiveDate>) -> String {
    value
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".to_string())
}

/// A short reference ("Art. 5") stays on one line; a long free-text one may
/// wrap rather than push the table off the page.
fn reference_text(reference: Option<String>) -> String {
    match reference {
        Some(r) if r.chars().count() <= 16 => r.replace(' ', "\u{a0}"),
        Some(r) => r,
        None => "—".to_string(),
    }
}

fn score_text(score: Option<f64>) -> String {
    score
        .map(|s| format!("{s:.1}%"))
        .unwrap_or_else(|| "—".to_string())
}

/// The band as a text label; the class adds colour for screens and colour
/// printers only.
#[component]
fn BandLabel(band: Option<ScoreBand>) -> impl IntoView {
    match band {
        Some(band) => view! {
            <span class=format!("band band-{}", band.as_str())>{band.label()}</span>
        }
        .into_any(),
        None => {
            view! { <span class="band band-none">"No applicable requirements"</span> }.into_any()
        }
    }
}

/// "2 of 3 applicable requirements completed · 1 not applicable · 1 overdue".
fn counts_text(counts: &StatusCounts) -> String {
    let applicable = counts.total - counts.not_applicable;
    let mut text = format!(
        "{} of {} applicable requirement{} completed",
        counts.completed,
        applicable,
        if applicable == 1 { "" } else { "s" }
    );
    if counts.in_progress > 0 {
        text.push_str(&format!(" · {} in progress", counts.in_progress));
    }
    if counts.not_started > 0 {
        text.push_str(&format!(" · {} not started", counts.not_started));
    }
    if counts.not_applicable > 0 {
        text.push_str(&format!(" · {} not applicable", counts.not_applicable));
    }
    if counts.overdue > 0 {
        text.push_str(&format!(" · {} overdue", counts.overdue));
    }
    text
}

/// The document frame: a running header that repeats on every printed page
/// (table header group) above the report body.
#[component]
fn PrintFrame(
    #[prop(into)] running_title: String,
    #[prop(into)] generated: String,
    #[prop(into)] back_href: String,
    #[prop(into)] back_label: String,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="print-page">
            <div class="print-toolbar screen-only">
                <a href=back_href>"← "{back_label}</a>
                <span class="muted">"Print this page (Ctrl+P) or save it as PDF from the print dialog."</span>
            </div>
            <table class="print-frame">
                <thead>
                    <tr>
                        <td>
                            <div class="running-header">
                                <span class="running-title">{running_title}</span>
                                <span class="running-date">{generated}</span>
                            </div>
                        </td>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <td>
                            <main class="report">{children()}</main>
                        </td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

// ---------------------------------------------------------------------------
// Compliance report
// ---------------------------------------------------------------------------

/// `/enterprise/{id}/compliance/print` (and `?framework=slug`).
#[component]
pub fn PrintCompliance() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let source = move || {
        (
            params.read().get("id").unwrap_or_default(),
            query
                .read()
                .get("framework")
                .filter(|f| !f.trim().is_empty()),
        )
    };
    let data = Resource::new(source, |(id, framework)| {
        load_compliance_report(id, framework)
    });
    view! {
        <Stylesheet id="print" href="/print.css"/>
        <Suspense fallback=|| view! { <p class="loading">"Preparing the report…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(report) => view! { <ComplianceReportView report/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ComplianceReportView(report: ComplianceReport) -> impl IntoView {
    let ComplianceReport {
        enterprise_id,
        enterprise_name,
        generated_at,
        only_framework,
        score,
        band,
        counts,
        frameworks,
        findings,
    } = report;
    let generated = generated_label(generated_at);
    let scope = match &only_framework {
        Some(name) => format!("Framework: {name}"),
        None => "All frameworks tracked or committed to in the security policy".to_string(),
    };
    let score_heading = if only_framework.is_some() {
        "Compliance score"
    } else {
        "Overall compliance score"
    };
    let summary_rows = frameworks.clone();
    view! {
        <Title text=format!("{enterprise_name} compliance report")/>
        <PrintFrame
            running_title=format!("Compliance report · {enterprise_name}")
            generated=generated.clone()
            back_href=format!("/enterprise/{enterprise_id}/compliance")
            back_label="Back to compliance"
        >
            <header class="report-head">
                <h1>"Compliance report — "{enterprise_name.clone()}</h1>
                <p class="report-meta">
                    <span class="generated">{generated}</span>
                    " · "
                    <span class="scope">{scope}</span>
                </p>
            </header>
            <section class="overall" aria-labelledby="overall-heading">
                <h2 id="overall-heading">{score_heading}</h2>
                <p class="overall-score">
                    <strong class="score-value">{score_text(score)}</strong>
                    " "
                    <BandLabel band/>
                </p>
                <p class="overall-counts">{counts_text(&counts)}</p>
                {if summary_rows.is_empty() {
                    view! {
                        <p class="empty">
                            "No framework is committed to in the security policy and no requirement is tracked yet."
                        </p>
                    }
                    .into_any()
                } else {
                    view! { <FrameworkSummary frameworks=summary_rows/> }.into_any()
                }}
            </section>
            {frameworks
                .into_iter()
                .map(|framework| view! { <FrameworkSection framework/> })
                .collect_view()}
            <FindingsSection findings/>
            <p class="end-of-report">"End of report."</p>
        </PrintFrame>
    }
}

#[component]
fn FrameworkSummary(frameworks: Vec<ReportFramework>) -> impl IntoView {
    view! {
        <table class="report-table summary-table">
            <thead>
                <tr>
                    <th scope="col">"Framework"</th>
                    <th scope="col">"In policy"</th>
                    <th scope="col" class="num">"Score"</th>
                    <th scope="col" class="num">"Completed"</th>
                    <th scope="col" class="num">"In progress"</th>
                    <th scope="col" class="num">"Not started"</th>
                    <th scope="col" class="num">"Not applicable"</th>
                    <th scope="col" class="num">"Overdue"</th>
                </tr>
            </thead>
            <tbody>
                {frameworks
                    .into_iter()
                    .map(|f| {
                        view! {
                            <tr>
                                <th scope="row">{f.name}" "{f.version}</th>
                                <td>{if f.committed { "Yes" } else { "No" }}</td>
                                <td class="num">{score_text(f.score)}</td>
                                <td class="num">{f.counts.completed}</td>
                                <td class="num">{f.counts.in_progress}</td>
                                <td class="num">{f.counts.not_started}</td>
                                <td class="num">{f.counts.not_applicable}</td>
                                <td class="num">{f.counts.overdue}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

fn requirement_status_class(status: RequirementStatus) -> String {
    format!("status status-{}", status.as_str().replace('_', "-"))
}

#[component]
fn FrameworkSection(framework: ReportFramework) -> impl IntoView {
    let heading_id = format!("framework-{}", framework.slug);
    let ReportFramework {
        slug,
        name,
        version,
        committed,
        score,
        band,
        counts,
        requirements,
    } = framework;
    let labelled_by = heading_id.clone();
    view! {
        <section class="framework" data-framework=slug aria-labelledby=labelled_by>
            <h2 id=heading_id>{name}" "{version}</h2>
            <p class="framework-score">
                "Score: "
                <strong class="score-value">{score_text(score)}</strong>
                " "
                <BandLabel band/>
                " · "
                {if committed { "Committed in the security policy" } else { "Not committed in the security policy" }}
            </p>
            <p class="framework-counts">{counts_text(&counts)}</p>
            <table class="report-table requirements-table">
                <thead>
                    <tr>
                        <th scope="col" class="col-ref">"Reference"</th>
                        <th scope="col" class="col-title">"Requirement"</th>
                        <th scope="col" class="col-status">"Status"</th>
                        <th scope="col" class="col-owner">"Owner"</th>
                        <th scope="col" class="col-date">"Deadline"</th>
                        <th scope="col" class="col-overdue">"Overdue"</th>
                        <th scope="col" class="col-evidence">"Evidence"</th>
                    </tr>
                </thead>
                <tbody>
                    {if requirements.is_empty() {
                        view! {
                            <tr>
                                <td colspan="7" class="empty">"No requirement of this framework is tracked yet."</td>
                            </tr>
                        }
                        .into_any()
                    } else {
                        requirements
                            .into_iter()
                            .map(|requirement| view! { <RequirementRow requirement/> })
                            .collect_view()
                            .into_any()
                    }}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn RequirementRow(requirement: ReportRequirement) -> impl IntoView {
    let ReportRequirement {
        reference,
        title,
        status,
        owner,
        deadline,
        overdue,
        evidence,
    } = requirement;
    let row_class = if overdue {
        "requirement overdue-row"
    } else {
        "requirement"
    };
    let evidence = evidence.trim().to_string();
    view! {
        <tr class=row_class>
            <td class="col-ref">{reference_text(reference)}</td>
            <td class="col-title">{title}</td>
            <td class="col-status">
                <span class=requirement_status_class(status)>{status.label()}</span>
            </td>
            <td class="col-owner">{owner.unwrap_or_else(|| "Unassigned".to_string())}</td>
            <td class="col-date">{date(deadline)}</td>
            <td class="col-overdue">
                {overdue.then(|| view! { <strong class="overdue">"OVERDUE"</strong> })}
            </td>
            <td class="col-evidence">
                {if evidence.is_empty() {
                    view! { <span class="muted">"None recorded"</span> }.into_any()
                } else {
                    view! { <span class="evidence-text">{evidence}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
fn FindingsSection(findings: Vec<ReportFinding>) -> impl IntoView {
    let count = findings.len();
    view! {
        <section class="findings" aria-labelledby="findings-heading">
            <h2 id="findings-heading">"Open findings"</h2>
            <p class="findings-counts">
                {match count {
                    0 => "No audit finding is unresolved.".to_string(),
                    1 => "1 audit finding is not resolved yet.".to_string(),
                    n => format!("{n} audit findings are not resolved yet."),
                }}
            </p>
            {(count > 0)
                .then(|| {
                    view! {
                        <table class="report-table findings-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Audit"</th>
                                    <th scope="col">"Finding"</th>
                                    <th scope="col" class="col-status">"Severity"</th>
                                    <th scope="col" class="col-date">"Deadline"</th>
                                    <th scope="col" class="col-status">"Status"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {findings
                                    .into_iter()
                                    .map(|f| {
                                        view! {
                                            <tr class=if f.overdue { "finding overdue-row" } else { "finding" }>
                                                <td>{f.audit}</td>
                                                <td>{f.title}</td>
                                                <td class="col-status">
                                                    <span class=format!("severity severity-{}", f.severity.as_str())>
                                                        {f.severity.label()}
                                                    </span>
                                                </td>
                                                <td class="col-date">
                                                    {date(f.deadline)}
                                                    {f.overdue.then(|| view! { " " <strong class="overdue">"OVERDUE"</strong> })}
                                                </td>
                                                <td class="col-status">
                                                    <span class=format!("status status-{}", f.status.as_str().replace('_', "-"))>
                                                        {f.status.label()}
                                                    </span>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
        </section>
    }
}

// ---------------------------------------------------------------------------
// Statement of Applicability
// ---------------------------------------------------------------------------

/// `/enterprise/{id}/soa/print`.
#[component]
pub fn PrintSoa() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        load_soa,
    );
    view! {
        <Stylesheet id="print" href="/print.css"/>
        <Suspense fallback=|| view! { <p class="loading">"Preparing the statement…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(soa) => view! { <SoaView soa/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SoaView(soa: Soa) -> impl IntoView {
    let Soa {
        enterprise_id,
        enterprise_name,
        generated_at,
        framework_name,
        framework_version,
        summary,
        themes,
    } = soa;
    let generated = generated_label(generated_at);
    view! {
        <Title text=format!("{enterprise_name} statement of applicability")/>
        <PrintFrame
            running_title=format!("Statement of Applicability · {enterprise_name}")
            generated=generated.clone()
            back_href=format!("/enterprise/{enterprise_id}/security")
            back_label="Back to security overview"
        >
            <header class="report-head">
                <h1>"Statement of Applicability — "{enterprise_name.clone()}</h1>
                <p class="report-meta">
                    <span class="scope">{format!("{framework_name}:{framework_version} Annex A controls")}</span>
                    " · "
                    <span class="generated">{generated}</span>
                </p>
            </header>
            <section class="overall soa-summary" aria-label="Summary">
                <p>
                    <strong>{summary.total}</strong>" Annex A controls: "
                    <strong>{summary.applicable}</strong>" applicable, "
                    <strong>{summary.not_applicable}</strong>" not applicable; of the applicable ones "
                    <strong>{summary.implemented}</strong>" implemented or verified and "
                    <strong>{summary.not_addressed}</strong>" not yet addressed by a security control."
                </p>
            </section>
            {themes.into_iter().map(|theme| view! { <SoaThemeSection theme/> }).collect_view()}
            <p class="end-of-report">"End of statement."</p>
        </PrintFrame>
    }
}

#[component]
fn SoaThemeSection(theme: SoaTheme) -> impl IntoView {
    let heading_id = format!("theme-{}", theme.reference.replace('.', "-"));
    let count = theme.rows.len();
    let labelled_by = heading_id.clone();
    view! {
        <section class="theme" aria-labelledby=labelled_by>
            <h2 id=heading_id>
                {theme.reference}" "{theme.title}
                <span class="theme-count">{format!(" ({count} controls)")}</span>
            </h2>
            <table class="report-table soa-table">
                <thead>
                    <tr>
                        <th scope="col" class="col-ref">"Reference"</th>
                        <th scope="col" class="col-title">"Control"</th>
                        <th scope="col" class="col-applicable">"Applicable"</th>
                        <th scope="col" class="col-justification">"Justification"</th>
                        <th scope="col" class="col-status">"Implementation status"</th>
                        <th scope="col" class="col-evidence">"Evidence"</th>
                    </tr>
                </thead>
                <tbody>
                    {theme.rows.into_iter().map(|row| view! { <SoaRowView row/> }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

fn control_status_class(status: Option<ControlStatus>) -> String {
    match status {
        Some(status) => format!("status status-{}", status.as_str().replace('_', "-")),
        None => "status status-not-addressed".to_string(),
    }
}

#[component]
fn SoaRowView(row: SoaRow) -> impl IntoView {
    let SoaRow {
        reference,
        title,
        applicable,
        justification,
        status,
        controls,
        evidence,
    } = row;
    let row_class = if applicable {
        "soa-row"
    } else {
        "soa-row not-applicable"
    };
    view! {
        <tr class=row_class>
            <td class="col-ref">{reference_text(Some(reference))}</td>
            <td class="col-title">
                <span class="control-title">{title}</span>
                {(!controls.is_empty())
                    .then(|| {
                        view! {
                            <ul class="mapped-controls">
                                {controls
                                    .into_iter()
                                    .map(|c| {
                                        view! {
                                            <li>
                                                {c.reference}" "{c.title}" ("{c.status.label()}")"
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })}
            </td>
            <td class="col-applicable">
                <span class=if applicable { "applicable yes" } else { "applicable no" }>
                    {if applicable { "Yes" } else { "No" }}
                </span>
            </td>
            <td class="col-justification">
                {justification.unwrap_or_else(|| "—".to_string())}
            </td>
            <td class="col-status">
                <span class=control_status_class(status)>
                    {status.map(|s| s.label()).unwrap_or("Not addressed")}
                </span>
            </td>
            <td class="col-evidence">
                {if evidence.is_empty() {
                    view! { <span class="muted">"None"</span> }.into_any()
                } else {
                    view! {
                        <ul class="evidence-list">
                            {evidence
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <li>
                                            {e.name}
                                            {e.expired.then(|| view! { " " <em class="expired">"(expired)"</em> })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </td>
        </tr>
    }
}
