//! The pieces of the security overview: the four metric cards and the
//! three tab panels. Charts are SVG drawn here, no chart library.

use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::components::badges::Badge;
use crate::components::local_time::LocalTime;
use crate::components::metric_card::{MetricCard, Tone};
use crate::domain::compliance::ScoreBand;
use crate::domain::dashboard::{AuditsDashboard, IncidentsDashboard, Overview};
use crate::domain::incident::SeverityCounts;
use crate::domain::records::ComplianceScores;

fn band_tone(band: Option<ScoreBand>) -> Tone {
    match band {
        Some(ScoreBand::Good) => Tone::Good,
        Some(ScoreBand::Warning) => Tone::Warning,
        Some(ScoreBand::Critical) => Tone::Critical,
        None => Tone::Neutral,
    }
}

fn percent(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.1} %"))
        .unwrap_or_else(|| "—".to_string())
}

#[component]
pub fn MetricCards(overview: Overview) -> impl IntoView {
    let o = overview;
    let incidents_tone = if o.active_incidents_by_severity.critical > 0 {
        Tone::Critical
    } else if o.active_incidents > 0 {
        Tone::Warning
    } else {
        Tone::Good
    };
    let applicable = o.controls_total - o.controls_not_applicable;
    let incident_detail = if o.active_incidents == 0 {
        "No active incidents".to_string()
    } else {
        let s = o.active_incidents_by_severity;
        let mut detail = format!(
            "{} critical · {} high · {} medium · {} low",
            s.critical, s.high, s.medium, s.low
        );
        if o.flagged_incidents > 0 {
            detail.push_str(&format!(
                " · {} notification clock(s) need attention",
                o.flagged_incidents
            ));
        }
        detail
    };
    let (policy_detail, policy_tone) = if o.policies_active > 0 {
        ("Security policy in force".to_string(), Tone::Good)
    } else {
        ("No security policy yet".to_string(), Tone::Warning)
    };
    let not_applicable = if o.controls_not_applicable > 0 {
        format!(" · {} not applicable", o.controls_not_applicable)
    } else {
        String::new()
    };
    let controls_detail = format!(
        "{} verified{not_applicable}",
        percent(o.controls_verified_ratio)
    );
    let controls_tone = band_tone(
        o.controls_verified_ratio
            .map(crate::domain::compliance::band),
    );
    let ratio = o.controls_verified_ratio;
    let compliance_detail = match o.compliance_band {
        Some(band) => format!(
            "{} · {} overdue requirement(s)",
            band.label(),
            o.overdue_requirements
        ),
        None => "No requirements tracked yet".to_string(),
    };
    let compliance_tone = band_tone(o.compliance_band);
    view! {
        <section class="metrics" aria-label="Key figures">
            <MetricCard title="Policies Active" value=o.policies_active.to_string() detail=policy_detail tone=policy_tone/>
            <MetricCard
                title="Controls Verified"
                value=format!("{} / {}", o.controls_verified, applicable.max(0))
                detail=controls_detail
                tone=controls_tone
                progress=Signal::derive(move || ratio)
            />
            <MetricCard title="Active Incidents" value=o.active_incidents.to_string() detail=incident_detail tone=incidents_tone/>
            <MetricCard title="Compliance Score" value=percent(o.compliance_score) detail=compliance_detail tone=compliance_tone/>
        </section>
    }
}

/// A horizontal bar for a percentage, with the figure as text beside it.
#[component]
pub fn ScoreBar(score: Option<f64>, #[prop(into)] label: String) -> impl IntoView {
    let width = score.unwrap_or(0.0).clamp(0.0, 100.0);
    let class = match score.map(crate::domain::compliance::band) {
        Some(ScoreBand::Good) => "bar-good",
        Some(ScoreBand::Warning) => "bar-warning",
        Some(ScoreBand::Critical) => "bar-critical",
        None => "bar-none",
    };
    view! {
        <svg class="score-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label=label>
            <rect x="0" y="0" width="100" height="6" rx="3" class="bar-track"></rect>
            <rect x="0" y="0" width=format!("{width:.1}") height="6" rx="3" class=class></rect>
        </svg>
    }
}

#[component]
pub fn CompliancePanel(scores: ComplianceScores, enterprise_id: Uuid) -> impl IntoView {
    view! {
        <h2>"Compliance"</h2>
        {if scores.frameworks.is_empty() {
            view! {
                <p class="empty">"No frameworks are committed to or tracked yet. Commit to frameworks in the security policy, then track their requirements."</p>
            }.into_any()
        } else {
            view! {
                <div class="framework-cards">
                    {scores.frameworks.into_iter().map(|f| {
                        let href = format!("/enterprise/{enterprise_id}/compliance?framework={}", f.slug);
                        let label = format!("{} compliance {}", f.name, percent(f.score));
                        let overdue_class = if f.counts.overdue > 0 { "overdue" } else { "" };
                        view! {
                            <article class="card framework-card">
                                <h3><A href=href>{f.name.clone()}" "{f.version.clone()}</A></h3>
                                <p class="score">
                                    <strong>{percent(f.score)}</strong>" "
                                    {f.band.map(|b| view! { <Badge kind="band" value=b.as_str() label=b.label()/> })}
                                    {(!f.committed).then(|| view! { <span class="muted">" (tracked, not committed)"</span> })}
                                </p>
                                <ScoreBar score=f.score label/>
                                <ul class="counts">
                                    <li>"Completed: "<strong>{f.counts.completed}</strong></li>
                                    <li>"In progress: "<strong>{f.counts.in_progress}</strong></li>
                                    <li>"Not started: "<strong>{f.counts.not_started}</strong></li>
                                    <li class=overdue_class>"Overdue: "<strong>{f.counts.overdue}</strong></li>
                                </ul>
                            </article>
                        }
                    }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}

/// Severity distribution as a stacked SVG bar with a text legend.
#[component]
pub fn SeverityChart(counts: SeverityCounts) -> impl IntoView {
    let total = counts.total().max(1) as f64;
    let parts = [
        ("critical", "Critical", counts.critical),
        ("high", "High", counts.high),
        ("medium", "Medium", counts.medium),
        ("low", "Low", counts.low),
    ];
    let mut offset = 0.0;
    let rects: Vec<_> = parts
        .iter()
        .map(|(key, _, n)| {
            let width = *n as f64 * 100.0 / total;
            let x = offset;
            offset += width;
            view! { <rect x=format!("{x:.2}") y="0" width=format!("{width:.2}") height="8" class=format!("sev-{key}")></rect> }
        })
        .collect();
    view! {
        <div class="severity-counts">
            {parts.iter().map(|(key, label, n)| view! {
                <div class=format!("severity-count sev-box-{key}")>
                    <span class="count">{*n}</span>
                    <span class="label">{*label}</span>
                </div>
            }).collect_view()}
        </div>
        <svg class="severity-chart" viewBox="0 0 100 8" preserveAspectRatio="none" role="img"
            aria-label=format!("Active incidents: {} critical, {} high, {} medium, {} low", counts.critical, counts.high, counts.medium, counts.low)>
            <rect x="0" y="0" width="100" height="8" class="bar-track"></rect>
            {rects}
        </svg>
    }
}

#[component]
pub fn IncidentsPanel(dashboard: IncidentsDashboard, base: String) -> impl IntoView {
    let d = dashboard;
    view! {
        <h2>"Incidents"</h2>
        <SeverityChart counts=d.by_severity/>
        <p class="muted">
            {format!("{} active · MTTC {} · MTTR {} (last {} days, {} resolved)",
                d.active,
                d.response_times.mttc_hours.map(|h| format!("{h:.1} h")).unwrap_or_else(|| "—".into()),
                d.response_times.mttr_hours.map(|h| format!("{h:.1} h")).unwrap_or_else(|| "—".into()),
                d.response_times.days,
                d.response_times.resolved_count)}
        </p>
        {(!d.flagged.is_empty()).then(|| view! {
            <div class="flagged" role="alert">
                <h3>"Notification clocks that need attention"</h3>
                <ul>
                    {d.flagged.iter().flat_map(|incident| {
                        incident.clocks.iter().filter(|c| (c.missed || c.due_soon) && c.done_at.is_none()).map(|clock| {
                            let state = if clock.missed { "MISSED" } else { "DUE SOON" };
                            view! {
                                <li><strong>{state}</strong>" "{incident.title.clone()}" — "{clock.label.clone()}" (due "<LocalTime at=clock.deadline/>")"</li>
                            }
                        }).collect::<Vec<_>>()
                    }).collect_view()}
                </ul>
            </div>
        })}
        <h3>"Recent incidents"</h3>
        {if d.recent.is_empty() {
            view! { <p class="empty">"No incidents have been reported for this enterprise."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data">
                        <thead>
                            <tr><th scope="col">"Severity"</th><th scope="col">"Title"</th><th scope="col">"Status"</th><th scope="col">"Detected"</th><th scope="col">"Systems affected"</th></tr>
                        </thead>
                        <tbody>
                            {d.recent.into_iter().map(|incident| {
                                let href = format!("{base}?tab=incidents&incident={}", incident.id);
                                let row_class = if incident.flagged { "flagged-row" } else { "" };
                                let systems = if incident.systems_affected.is_empty() { "—".to_string() } else { incident.systems_affected.join(", ") };
                                view! {
                                    <tr class=row_class>
                                        <td><Badge kind="severity" value=incident.severity.as_str() label=incident.severity.label()/></td>
                                        <td><A href=href attr:data-incident=incident.id.to_string() attr:class="row-link">{incident.title.clone()}</A></td>
                                        <td><Badge kind="status" value=incident.status.as_str() label=incident.status.label()/></td>
                                        <td><LocalTime at=incident.detected_at/></td>
                                        <td>{systems}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

#[component]
pub fn AuditsPanel(dashboard: AuditsDashboard) -> impl IntoView {
    let d = dashboard;
    view! {
        <h2>"Audits"</h2>
        <h3>"Upcoming"</h3>
        {if d.upcoming.is_empty() {
            view! { <p class="empty">"No audits are scheduled in the next 30 days."</p> }.into_any()
        } else {
            view! {
                <ol class="audit-timeline">
                    {d.upcoming.into_iter().map(|audit| view! {
                        <li>
                            <time datetime=audit.scheduled_for.to_string()>{audit.scheduled_for.to_string()}</time>
                            " "<strong>{audit.title.clone()}</strong>" "
                            <Badge kind="audit-type" value=audit.audit_type.as_str() label=audit.audit_type.label()/>
                            {audit.auditor.clone().map(|a| view! { <span class="muted">" · "{a}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        <h3>"Recently completed"</h3>
        {if d.recent_completed.is_empty() {
            view! { <p class="empty">"No audits have been completed yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data">
                        <thead>
                            <tr><th scope="col">"Audit"</th><th scope="col">"Type"</th><th scope="col">"Scheduled"</th><th scope="col">"Completed"</th><th scope="col">"Findings (critical / high / medium / low)"</th></tr>
                        </thead>
                        <tbody>
                            {d.recent_completed.into_iter().map(|audit| {
                                let f = audit.findings_by_severity;
                                view! {
                                    <tr>
                                        <td>{audit.title.clone()}</td>
                                        <td>{audit.audit_type.label()}</td>
                                        <td>{audit.scheduled_for.to_string()}</td>
                                        <td>{audit.completed_at.map(|at| view! { <LocalTime at/> }.into_any()).unwrap_or_else(|| "—".into_any())}</td>
                                        <td>{format!("{} / {} / {} / {}", f.critical, f.high, f.medium, f.low)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <h3>"Overdue findings"</h3>
        {if d.overdue_findings.is_empty() {
            view! { <p class="empty">"No findings are past their remediation deadline."</p> }.into_any()
        } else {
            view! {
                <ul class="overdue-findings">
                    {d.overdue_findings.into_iter().map(|finding| view! {
                        <li>
                            <strong>"OVERDUE"</strong>" "
                            <Badge kind="severity" value=finding.severity.as_str() label=finding.severity.label()/>" "
                            {finding.title.clone()}
                            {finding.remediation_deadline.map(|d| format!(" — due {d}"))}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
