//! `--probe`: after diagnosing from text, read-only checks of the stopped task's own subnet,
//! VPC, security groups, image, task definition and roles turn a likely cause into
//! **confirmed**, **ruled out** (then the next finding is checked) or **could not check**
//! (naming the IAM action that was missing).
//!
//! Probes are sources of facts, not renderers. Each is split in two: [`aws`] fetches facts
//! through the AWS clients (concurrently within a task, each answer shared by every task that
//! asks the same question, every call bounded by `--timeout`), and one module per probe is a
//! pure function from those facts to a verdict ([`Outcome`]), unit-tested without AWS. Which
//! probes apply is declared by the patterns (`probes: [...]`).

mod aws;
pub mod cache_iam;
pub mod dkr_dns;
pub mod ecr_public;
pub mod facts;
pub mod network_path;
pub mod reference;

pub use aws::Fetcher;

use crate::catalog::spec::ProbeName;
use crate::catalog::spec::Severity;
use crate::model::{Evidence, TaskNetwork};
pub use crate::report::Verdict;
use crate::report::{Diagnosis, ProbeResult, ProbeSection, Status};

/// A probe's verdict, before the calls that fed it are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub summary: String,
    pub fix: Option<String>,
    pub facts: Vec<String>,
    pub missing_permissions: Vec<String>,
}

impl Outcome {
    pub fn new(verdict: Verdict, summary: String) -> Outcome {
        Outcome {
            verdict,
            summary,
            fix: None,
            facts: Vec::new(),
            missing_permissions: Vec::new(),
        }
    }

    /// The verdict and its sentence.
    pub fn decide(mut self, verdict: Verdict, summary: String) -> Outcome {
        self.verdict = verdict;
        self.summary = summary;
        self
    }

    /// Could not check: `what` could not be read, and why.
    pub fn unavailable(mut self, what: &str, why: &facts::Unavailable) -> Outcome {
        if let Some(action) = why.missing_permission()
            && !self.missing_permissions.iter().any(|a| a == action)
        {
            self.missing_permissions.push(action.to_string());
        }
        self.decide(
            Verdict::CouldNotCheck,
            format!("could not read {what}: {why}"),
        )
    }

    pub fn into_result(self, name: ProbeName, calls: Vec<String>) -> ProbeResult {
        ProbeResult {
            name: name.as_str(),
            verdict: self.verdict,
            summary: self.summary,
            // A fix for a cause that was not confirmed would send the reader the wrong way.
            fix: self.fix.filter(|_| self.verdict == Verdict::Confirmed),
            facts: self.facts,
            calls,
            missing_permissions: self.missing_permissions,
        }
    }
}

/// The stopped task a probe looks at, as far as its evidence says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTask {
    pub task_arn: String,
    pub region: String,
    pub account: Option<String>,
    /// Cluster name or ARN.
    pub cluster: Option<String>,
    pub service: Option<String>,
    /// `service:web` or `family:x`: tasks of one group in one subnet share security groups.
    pub group: Option<String>,
    pub task_definition_arn: Option<String>,
    pub network: Option<TaskNetwork>,
    pub images: Vec<String>,
}

impl ProbeTask {
    /// `None` for evidence without a task ARN (pasted text): nothing to probe.
    pub fn of(evidence: &Evidence, default_region: Option<&str>) -> Option<ProbeTask> {
        let task_arn = evidence.meta.task_arn.clone()?;
        let arn = crate::arn::Arn::parse(&task_arn)?;
        let region = arn
            .region_name()
            .map(str::to_string)
            .or_else(|| default_region.map(str::to_string))?;
        Some(ProbeTask {
            account: arn.account_id().map(str::to_string),
            region,
            cluster: evidence.meta.cluster_arn.clone().or_else(|| {
                // `arn:aws:ecs:r:a:task/<cluster>/<id>` names the cluster.
                let mut parts = task_arn.rsplit('/');
                parts.next();
                parts
                    .next()
                    .filter(|c| !c.starts_with("arn:"))
                    .map(str::to_string)
            }),
            service: evidence.service().map(str::to_string),
            group: evidence.meta.group.clone(),
            task_definition_arn: evidence.meta.task_definition_arn.clone(),
            network: evidence.meta.network.clone(),
            images: evidence
                .containers
                .iter()
                .filter_map(|c| c.image.clone())
                .collect(),
            task_arn,
        })
    }

    pub fn id(&self) -> &str {
        self.task_arn.rsplit('/').next().unwrap_or(&self.task_arn)
    }
}

/// One finding to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Index of the finding in the diagnosis.
    pub index: usize,
    pub probes: Vec<ProbeName>,
    /// The messages and captures that matched, for the service a network probe looks for.
    pub text: String,
    /// The image the finding is about.
    pub image: Option<String>,
    /// The host name that did not resolve (`lookup_host` capture, else the image's registry).
    pub host: Option<String>,
}

/// The findings of one task that declare probes, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub task: ProbeTask,
    pub requests: Vec<Request>,
}

impl Plan {
    /// What to probe for a task's diagnosis; `probes_of` gives a pattern's declared probes.
    pub fn of(
        task: ProbeTask,
        diagnosis: &Diagnosis,
        probes_of: impl Fn(&str) -> Vec<ProbeName>,
    ) -> Option<Plan> {
        let requests: Vec<Request> = diagnosis
            .findings
            .iter()
            .enumerate()
            .filter_map(|(index, f)| {
                let probes = probes_of(&f.pattern);
                if probes.is_empty() {
                    return None;
                }
                let capture = |name: &str| {
                    f.captures
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                };
                let container_image = f
                    .evidence
                    .iter()
                    .filter_map(|e| e.container.as_deref())
                    .find_map(|name| {
                        diagnosis
                            .task
                            .containers
                            .iter()
                            .find(|c| c.name == name)
                            .and_then(|c| c.image.clone())
                    });
                let image = capture("image")
                    .or(container_image)
                    .or_else(|| task.images.first().cloned());
                let host = capture("lookup_host").or_else(|| {
                    image
                        .as_deref()
                        .and_then(crate::image::ImageRef::parse)
                        .map(|i| i.registry)
                });
                let mut text: Vec<String> =
                    f.evidence.iter().filter_map(|e| e.text.clone()).collect();
                text.extend(f.captures.iter().map(|(_, v)| v.clone()));
                Some(Request {
                    index,
                    probes,
                    text: text.join(" "),
                    image,
                    host,
                })
            })
            .collect();
        (!requests.is_empty()).then_some(Plan { task, requests })
    }
}

/// Attaches the probe sections to their findings. A confirmed finding that was not the best
/// one moves to the front: what the task's resources show outweighs what the text suggests.
pub fn apply(diagnosis: &mut Diagnosis, sections: Vec<(usize, ProbeSection)>) {
    let findings = std::sync::Arc::make_mut(&mut diagnosis.findings);
    for (index, section) in sections {
        if let Some(f) = findings.get_mut(index) {
            f.probe = Some(section);
        }
    }
    let confirmed = findings.iter().position(|f| {
        f.probe
            .as_ref()
            .is_some_and(|p| p.verdict == Verdict::Confirmed)
    });
    if let Some(i) = confirmed
        && i > 0
    {
        let finding = findings.remove(i);
        findings.insert(0, finding);
        diagnosis.status = match findings[0].severity {
            Severity::Benign => Status::Benign,
            _ => Status::Failure,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::context::Defaults;
    use crate::engine::{Engine, MatchCache};
    use crate::model::Source;

    fn seed1_task() -> Evidence {
        let mut e = Evidence::task(Source::Live);
        e.meta.task_arn = Some("arn:aws:ecs:us-east-1:123456789012:task/demo/abc".into());
        e.meta.group = Some("service:web".into());
        e.stopped_reason = Some("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref public.ecr.aws/nginx/nginx:latest: failed to do request: Head \"https://public.ecr.aws/v2/nginx/nginx/manifests/latest\": dial tcp 99.83.145.10:443: i/o timeout".into());
        e
    }

    #[test]
    fn plans_follow_the_patterns_probes_and_confirmed_findings_come_first() {
        let engine = Engine::new(Catalog::builtin().unwrap()).unwrap();
        let evidence = seed1_task();
        let mut diagnosis =
            engine.diagnose(&evidence, &Defaults::default(), &mut MatchCache::default());
        let task = ProbeTask::of(&evidence, None).unwrap();
        assert_eq!(task.cluster.as_deref(), Some("demo"));
        assert_eq!(task.service.as_deref(), Some("web"));
        let plan = Plan::of(task, &diagnosis, |id| {
            engine
                .catalog()
                .get(id)
                .map(|p| p.probes.clone())
                .unwrap_or_default()
        })
        .unwrap();
        let first = &plan.requests[0];
        assert_eq!(first.index, 0);
        assert_eq!(first.probes, [ProbeName::EcrPublic]);
        assert_eq!(
            first.image.as_deref(),
            Some("public.ecr.aws/nginx/nginx:latest")
        );

        // A later finding confirmed, the first ruled out: the confirmed one leads.
        assert!(diagnosis.findings.len() > 1);
        let second = diagnosis.findings[1].pattern.clone();
        let section = |verdict| {
            ProbeSection::new(vec![
                Outcome::new(verdict, "x".into()).into_result(ProbeName::NetworkPath, vec![]),
            ])
        };
        apply(
            &mut diagnosis,
            vec![
                (0, section(Verdict::RuledOut)),
                (1, section(Verdict::Confirmed)),
            ],
        );
        assert_eq!(diagnosis.findings[0].pattern, second);
        assert_eq!(
            diagnosis.findings[1].probe.as_ref().unwrap().verdict,
            Verdict::RuledOut
        );
    }

    #[test]
    fn sections_combine_their_probes() {
        let r = |v| Outcome::new(v, String::new()).into_result(ProbeName::Secret, vec![]);
        assert_eq!(
            ProbeSection::new(vec![r(Verdict::RuledOut), r(Verdict::Confirmed)]).verdict,
            Verdict::Confirmed
        );
        assert_eq!(
            ProbeSection::new(vec![r(Verdict::RuledOut), r(Verdict::RuledOut)]).verdict,
            Verdict::RuledOut
        );
        assert_eq!(
            ProbeSection::new(vec![r(Verdict::RuledOut), r(Verdict::CouldNotCheck)]).verdict,
            Verdict::CouldNotCheck
        );
    }
}
