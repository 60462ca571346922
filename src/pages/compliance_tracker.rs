//! `/enterprise/{id}/compliance`: the compliance tracker (SPEC §3.6) with
//! the score of every framework (§4) on top. Filters and the page are in the
//! URL (`?framework=&status=&overdue=true&page=`) and rendered by the
//! server; every change is an `ActionForm` that works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::components::error_page::{AppErrorPage, ErrorPage};
use crate::components::header::AppHeader;
use crate::domain::compliance::{RequirementStatus, ScoreBand, StatusCounts};
use crate::domain::page::Paged;
use crate::domain::records::{ComplianceItem, ComplianceScores};
use crate::pages::checklists::{name_of, pager, query_href, ActionError, Progress};
use crate::serverfn::checklists::Person;
use crate::serverfn::compliance_tracker::{
    load_compliance_page, CompleteComplianceRequirement, CreateComplianceRequirement,
    FrameworkOption, TrackComplianceCatalogue, UpdateComplianceRequirement,
};

/// What the URL asks for.
#[derive(Debug, Clone, PartialEq)]
struct Filters {
    framework: Option<String>,
    status: Option<String>,
    overdue: bool,
    page: Option<u32>,
}

impl Filters {
    fn href(&self, base: &str, page: Option<u32>) -> String {
        query_href(
            base,
            &[
                ("framework", self.framework.clone()),
                ("status", self.status.clone()),
                ("overdue", self.overdue.then(|| "true".to_string())),
                ("page", page.filter(|p| *p > 1).map(|p| p.to_string())),
            ],
        )
    }

    fn any(&self) -> bool {
        self.framework.is_some() || self.status.is_some() || self.overdue
    }
}

/// The page's row actions, passed to every row.
#[derive(Clone, Copy)]
struct RowActions {
    update: ServerAction<UpdateComplianceRequirement>,
    complete: ServerAction<CompleteComplianceRequirement>,
}

#[component]
pub fn ComplianceTrackerPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let enterprise_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let filters = move || {
        let query = query.read();
        let text = |key: &str| query.get(key).filter(|v| !v.trim().is_empty());
        Filters {
            framework: text("framework"),
            status: text("status"),
            overdue: text("overdue").is_some_and(|v| v == "true" || v == "on"),
            page: text("page").and_then(|p| p.parse().ok()),
        }
    };

    let track = ServerAction::<TrackComplianceCatalogue>::new();
    let create = ServerAction::<CreateComplianceRequirement>::new();
    let update = ServerAction::<UpdateComplianceRequirement>::new();
    let complete = ServerAction::<CompleteComplianceRequirement>::new();
    let row_actions = RowActions { update, complete };

    let data = Resource::new(
        move || {
            (
                enterprise_id(),
                filters(),
                track.version().get(),
                create.version().get(),
                update.version().get(),
                complete.version().get(),
            )
        },
        |(id, f, ..)| async move {
            match id {
                Some(id) => load_compliance_page(
                    id,
                    f.framework,
                    f.status,
                    f.overdue.then(|| "true".to_string()),
                    f.page,
                )
                .await
                .map(Some),
                None => Ok(None),
            }
        },
    );

    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <AppErrorPage error/> }.into_any(),
                    Ok(None) => view! { <ErrorPage status=404 message="This enterprise does not exist."/> }.into_any(),
                    Ok(Some(page)) => {
                        let f = untrack(filters);
                        let enterprise_id = page.enterprise.id;
                        let base = format!("/enterprise/{enterprise_id}/compliance");
                        let name = page.enterprise.name.clone();
                        let can_write = page.can_write;
                        let tools = can_write.then(|| view! {
                            <div class="mgmt-columns mgmt-tools">
                                {track_form(enterprise_id, &page.frameworks, track).into_any()}
                                {create_form(enterprise_id, &page.frameworks, create).into_any()}
                            </div>
                        });
                        view! {
                            <Title text=format!("{name} compliance")/>
                            <AppHeader workspace=page.workspace.clone() current=enterprise_id/>
                            <main class="page mgmt-page">
                                <h1>{name}" — compliance requirements"</h1>
                                {score_cards(&page.scores, &base).into_any()}
                                {tools}
                                {requirements_list(&page.requirements, &page.frameworks, &page.people, can_write, row_actions, &base, &f).into_any()}
                            </main>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

fn band_class(band: Option<ScoreBand>) -> &'static str {
    match band {
        Some(ScoreBand::Good) => "mgmt-band-good",
        Some(ScoreBand::Warning) => "mgmt-band-warning",
        Some(ScoreBand::Critical) => "mgmt-band-critical",
        None => "mgmt-band-none",
    }
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_string(), |s| format!("{s:.1}\u{a0}%"))
}

fn score_card(
    title: String,
    subtitle: Option<String>,
    score: Option<f64>,
    band: Option<ScoreBand>,
    counts: StatusCounts,
    href: Option<String>,
) -> impl IntoView {
    let band_label = band.map_or("No requirements apply", ScoreBand::label);
    let overdue_class = if counts.overdue > 0 {
        "mgmt-count-overdue"
    } else {
        ""
    };
    let heading = match href {
        Some(href) => view! { <a href=href>{title.clone()}</a> }.into_any(),
        None => view! { <span>{title.clone()}</span> }.into_any(),
    };
    view! {
        <article class=format!("mgmt-score-card {}", band_class(band)) aria-label=title.clone()>
            <h3 class="mgmt-score-title">{heading}</h3>
            {subtitle.map(|s| view! { <p class="mgmt-small muted">{s}</p> })}
            <p class="mgmt-score-value">{score_text(score)}</p>
            <p class="mgmt-score-band">{band_label}</p>
            <Progress percent=score.unwrap_or(0.0) label=format!("Compliance score of {title}")/>
            <dl class="mgmt-counts">
                <div><dt>"Completed"</dt><dd>{counts.completed}</dd></div>
                <div><dt>"In progress"</dt><dd>{counts.in_progress}</dd></div>
                <div><dt>"Not started"</dt><dd>{counts.not_started}</dd></div>
                <div class=overdue_class>
                    <dt>"Overdue"</dt><dd>{counts.overdue}</dd>
                </div>
            </dl>
        </article>
    }
}

fn score_cards(scores: &ComplianceScores, base: &str) -> impl IntoView {
    let cards = scores
        .frameworks
        .iter()
        .map(|f| {
            let subtitle = format!(
                "Version {}{}",
                f.version,
                if f.committed {
                    " · committed in the policy"
                } else {
                    ""
                }
            );
            score_card(
                f.name.clone(),
                Some(subtitle),
                f.score,
                f.band,
                f.counts,
                Some(query_href(base, &[("framework", Some(f.slug.clone()))])),
            )
        })
        .collect_view();
    view! {
        <section class="mgmt-scores" aria-labelledby="scores-heading">
            <h2 id="scores-heading">"Scores"</h2>
            <div class="mgmt-score-grid">
                {score_card("Overall".to_string(), Some("All tracked requirements".to_string()), scores.score, scores.band, scores.counts, None)}
                {cards}
            </div>
            {scores.frameworks.is_empty().then(|| view! {
                <p class="empty">"No framework is tracked yet: track a catalogue below, or commit to frameworks in the security policy."</p>
            })}
        </section>
    }
}

fn framework_options(frameworks: &[FrameworkOption], selected: Option<&str>) -> impl IntoView {
    frameworks
        .iter()
        .map(|f| {
            let is_selected = selected == Some(f.slug.as_str());
            view! {
                <option value=f.slug.clone() selected=is_selected>{format!("{} {}", f.name, f.version)}</option>
            }
        })
        .collect_view()
}

fn track_form(
    enterprise_id: Uuid,
    frameworks: &[FrameworkOption],
    track: ServerAction<TrackComplianceCatalogue>,
) -> impl IntoView {
    let options = frameworks
        .iter()
        .map(|f| {
            view! {
                <option value=f.slug.clone()>
                    {format!("{} {} ({} requirements)", f.name, f.version, f.requirement_count)}
                </option>
            }
        })
        .collect_view();
    let added = move || {
        track.value().with(|value| match value {
            Some(Ok(added)) => Some(view! {
                <p class="mgmt-success" role="status">
                    {match added {
                        0 => "Every requirement of this catalogue is already tracked.".to_string(),
                        1 => "1 requirement added.".to_string(),
                        n => format!("{n} requirements added."),
                    }}
                </p>
            }),
            _ => None,
        })
    };
    view! {
        <section class="card mgmt-side" aria-labelledby="track-heading">
            <h2 id="track-heading">"Track a whole framework catalogue"</h2>
            <p class="mgmt-small muted">"Adds every assessable requirement of the catalogue that is not tracked yet."</p>
            <ActionForm action=track attr:class="form mgmt-form">
                <input type="hidden" name="enterprise_id" value=enterprise_id.to_string()/>
                <label for="track-framework">"Framework"</label>
                <select id="track-framework" name="framework" required>
                    <option value="">"Choose a framework"</option>
                    {options}
                </select>
                <ActionError action=track/>
                {added}
                <button type="submit" class="button primary">"Track catalogue"</button>
            </ActionForm>
        </section>
    }
}

fn create_form(
    enterprise_id: Uuid,
    frameworks: &[FrameworkOption],
    create: ServerAction<CreateComplianceRequirement>,
) -> impl IntoView {
    let options = framework_options(frameworks, None);
    view! {
        <section class="card mgmt-side" aria-labelledby="add-requirement-heading">
            <h2 id="add-requirement-heading">"Add a requirement"</h2>
            <ActionForm action=create attr:class="form mgmt-form">
                <input type="hidden" name="enterprise_id" value=enterprise_id.to_string()/>
                <label for="new-req-framework">"Framework"</label>
                <select id="new-req-framework" name="framework" required>
                    {options}
                </select>
                <label for="new-req-ref">"Catalogue reference (optional)"</label>
                <input id="new-req-ref" name="requirement_ref" type="text" maxlength="100" autocomplete="off" aria-describedby="new-req-ref-hint"/>
                <p id="new-req-ref-hint" class="mgmt-small muted">"A reference from the framework's catalogue (e.g. A.8.5) fills in the title."</p>
                <label for="new-req-title">"Title"</label>
                <input id="new-req-title" name="title" type="text" maxlength="200" autocomplete="off"/>
                <label for="new-req-deadline">"Deadline (optional)"</label>
                <input id="new-req-deadline" name="deadline" type="date"/>
                <ActionError action=create/>
                <button type="submit">"Add requirement"</button>
            </ActionForm>
        </section>
    }
}

fn filter_form(base: &str, frameworks: &[FrameworkOption], f: &Filters) -> impl IntoView {
    view! {
        <form method="get" action=base.to_string() class="mgmt-filters" aria-label="Filter requirements">
            <div class="mgmt-field">
                <label for="filter-framework">"Framework"</label>
                <select id="filter-framework" name="framework">
                    <option value="" selected={f.framework.is_none()}>"All frameworks"</option>
                    {framework_options(frameworks, f.framework.as_deref())}
                </select>
            </div>
            <div class="mgmt-field">
                <label for="filter-status">"Status"</label>
                <select id="filter-status" name="status">
                    <option value="" selected={f.status.is_none()}>"All statuses"</option>
                    {RequirementStatus::ALL
                        .into_iter()
                        .map(|s| {
                            let is_selected = f.status.as_deref() == Some(s.as_str());
                            view! { <option value=s.as_str() selected=is_selected>{s.label()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="mgmt-check-row">
                <input id="filter-overdue" name="overdue" type="checkbox" value="true" checked=f.overdue/>
                <label for="filter-overdue">"Overdue only"</label>
            </div>
            <button type="submit">"Filter"</button>
            {f.any().then(|| view! { <a class="mgmt-clear" href=base.to_string()>"Clear filters"</a> })}
        </form>
    }
}

#[allow(clippy::too_many_arguments)]
fn requirements_list(
    list: &Paged<ComplianceItem>,
    frameworks: &[FrameworkOption],
    people: &[Person],
    can_write: bool,
    actions: RowActions,
    base: &str,
    f: &Filters,
) -> impl IntoView {
    let rows = list
        .results
        .iter()
        .map(|item| requirement_row(item, frameworks, people, can_write, actions))
        .collect_view();
    let body = if list.results.is_empty() {
        view! {
            <p class="empty">
                {if f.any() { "No requirement matches these filters." } else { "No requirements are tracked yet." }}
            </p>
        }
        .into_any()
    } else {
        view! {
            <div class="mgmt-table-wrap" role="region" aria-label="Requirements table, scrolls sideways" tabindex="0">
                <table class="mgmt-table">
                    <thead>
                        <tr>
                            <th scope="col">"Reference"</th>
                            <th scope="col">"Title"</th>
                            <th scope="col">"Framework"</th>
                            <th scope="col">"Owner"</th>
                            <th scope="col">"Deadline"</th>
                            <th scope="col">"Status"</th>
                            {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card mgmt-list" aria-labelledby="requirements-heading">
            <h2 id="requirements-heading">"Requirements"</h2>
            {filter_form(base, frameworks, f)}
            <ActionError action=actions.update/>
            <ActionError action=actions.complete/>
            {body}
            {pager(list.page, list.page_size, list.count, {
                let f = f.clone();
                let base = base.to_string();
                move |page| f.href(&base, Some(page))
            })}
        </section>
    }
}

fn requirement_row(
    item: &ComplianceItem,
    frameworks: &[FrameworkOption],
    people: &[Person],
    can_write: bool,
    actions: RowActions,
) -> impl IntoView {
    let framework = frameworks
        .iter()
        .find(|f| f.slug == item.framework_slug)
        .map_or_else(|| item.framework_slug.clone(), |f| f.name.clone());
    let owner = name_of(people, item.owner_id);
    let deadline = item.deadline.map(|d| d.format("%Y-%m-%d").to_string());
    let overdue = item
        .overdue
        .then(|| view! { <strong class="mgmt-overdue">"OVERDUE"</strong> });
    let status = item.status;
    let row_class = if item.overdue { "mgmt-row-overdue" } else { "" };
    let actions_cell = can_write.then(|| requirement_actions(item, people, actions));
    view! {
        <tr class=row_class>
            <td class="mgmt-ref">{item.requirement_ref.clone().unwrap_or_else(|| "—".to_string())}</td>
            <th scope="row" class="mgmt-title-cell">{item.title.clone()}</th>
            <td>{framework}</td>
            <td>{owner}</td>
            <td class="mgmt-nowrap">
                {match deadline {
                    Some(d) => view! { <time datetime=d.clone()>{d.clone()}</time> }.into_any(),
                    None => view! { <span class="muted">"None"</span> }.into_any(),
                }}
                " "
                {overdue}
            </td>
            <td>
                <span class=format!("mgmt-badge mgmt-req-{}", status.as_str())>{status.label()}</span>
            </td>
            {actions_cell}
        </tr>
    }
}

fn requirement_actions(
    item: &ComplianceItem,
    people: &[Person],
    actions: RowActions,
) -> impl IntoView {
    let id = item.id.to_string();
    let version = item.version.to_string();
    let title = item.title.clone();
    let status_id = format!("status-{}", item.id);
    let deadline_id = format!("deadline-{}", item.id);
    let owner_id = format!("owner-{}", item.id);
    let deadline = item
        .deadline
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let status_options = RequirementStatus::ALL
        .into_iter()
        .map(|s| {
            let is_selected = s == item.status;
            view! { <option value=s.as_str() selected=is_selected>{s.label()}</option> }
        })
        .collect_view();
    // The owner can be chosen among the people whose names the caller sees;
    // an owner outside that list stays as they are.
    let mut owners: Vec<(String, String, bool)> = vec![(
        String::new(),
        "No owner".to_string(),
        item.owner_id.is_none(),
    )];
    owners.extend(people.iter().map(|p| {
        (
            p.id.to_string(),
            p.name.clone(),
            item.owner_id == Some(p.id),
        )
    }));
    if let Some(current) = item.owner_id.filter(|o| !people.iter().any(|p| p.id == *o)) {
        owners.push((current.to_string(), "Another member".to_string(), true));
    }
    let owner_options = owners
        .into_iter()
        .map(|(value, label, selected)| view! { <option value=value selected=selected>{label}</option> })
        .collect_view();
    // Completing needs no version: the domain refuses (409) a requirement
    // that is already completed or not applicable, whoever changed it.
    let complete_form = (!item.status.is_closed()).then(|| {
        let id = id.clone();
        view! {
            <ActionForm action=actions.complete attr:class="mgmt-inline-form">
                <input type="hidden" name="requirement_id" value=id/>
                <button type="submit" aria-label=format!("Complete: {title}")>"Complete"</button>
            </ActionForm>
        }
    });
    view! {
        <td class="mgmt-actions">
            {complete_form}
            <details class="mgmt-details">
                <summary>"Edit"<span class="mgmt-sr-only">{format!(": {}", item.title)}</span></summary>
                <ActionForm action=actions.update attr:class="form mgmt-form mgmt-edit-form">
                    <input type="hidden" name="requirement_id" value=id/>
                    <input type="hidden" name="version" value=version/>
                    <label for=status_id.clone()>"Status"</label>
                    <select id=status_id name="status">{status_options}</select>
                    <label for=deadline_id.clone()>"Deadline"</label>
                    <input id=deadline_id name="deadline" type="date" value=deadline/>
                    <label for=owner_id.clone()>"Owner"</label>
                    <select id=owner_id name="owner_id">{owner_options}</select>
                    <button type="submit" class="button primary">"Save"</button>
                </ActionForm>
            </details>
        </td>
    }
}
