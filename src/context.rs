//! Values a template can use besides its own captures: who and where the task is, and what the
//! image in question is. Each value says where it came from, so the report can be honest about
//! an account id read from an image host rather than from the task's ARN.

use crate::arn::{Arn, cluster_name, find_arns};
use crate::image::ImageRef;
use crate::model::Evidence;

/// Names templates may use without capturing them, with what they mean. Captures may not
/// reuse these names (except `image`, which feeds the image-derived values).
pub const CONTEXT_VARIABLES: &[(&str, &str)] = &[
    ("account", "the task's AWS account id"),
    ("region", "the task's region"),
    ("cluster", "the cluster name"),
    ("service", "the service name"),
    ("family", "the task definition family"),
    ("task_id", "the task id"),
    ("task_arn", "the task ARN"),
    ("stop_code", "the task's stopCode"),
    (
        "container",
        "the container whose reason or exit code matched",
    ),
    ("exit_code", "that container's exit code"),
    (
        "image",
        "the image: a capture named `image`, else the matched container's image",
    ),
    (
        "image_registry",
        "the image's registry host (Docker Hub is docker.io)",
    ),
    (
        "image_repository",
        "the image's repository path (Docker Hub official images gain library/)",
    ),
    (
        "image_reference",
        "the image's tag or digest (latest when it names neither)",
    ),
    ("image_account", "the account of an ECR image host"),
    ("image_region", "the region of an ECR image host"),
    (
        "cache_prefix",
        "the pull-through-cache repository prefix for the image's upstream",
    ),
    (
        "cache_upstream",
        "the --upstream-registry-url of that upstream",
    ),
    (
        "cache_repository",
        "the ECR repository the cached image lives in",
    ),
    (
        "cache_image",
        "the image rewritten to pull through the cache in the task's own registry",
    ),
    (
        "cache_upstream_image",
        "the upstream image a cache path mirrors",
    ),
    (
        "cache_credential_arg",
        "` --credential-arn <secret>` for upstreams that need credentials, else empty",
    ),
];

/// The values a pattern's text is filled in with, by name, sorted: what makes one task's
/// rendering differ from another's (task ids aside, which differ for every task).
pub fn variable_names(pattern: &crate::catalog::pattern::Pattern) -> Vec<String> {
    let mut templates: Vec<&crate::catalog::template::Template> =
        vec![&pattern.cause, &pattern.fix];
    templates.extend(&pattern.notes);
    for c in &pattern.candidates {
        templates.extend([&c.cause, &c.evidence]);
        templates.extend(c.check.iter().chain(c.fix.iter()));
    }
    for c in &pattern.commands {
        templates.extend([&c.title, &c.run]);
    }
    let mut names: Vec<String> = templates
        .iter()
        .flat_map(|t| t.variables())
        .filter(|n| !matches!(*n, "task_id" | "task_arn"))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Whether `name` is a context variable.
pub fn is_context_variable(name: &str) -> bool {
    CONTEXT_VARIABLES.iter().any(|(n, _)| *n == name)
}

/// Where an account id or region was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSource {
    TaskArn,
    ClusterArn,
    EventEnvelope,
    CommandLine,
    ImageHost,
    ErrorText,
}

impl ValueSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueSource::TaskArn => "task-arn",
            ValueSource::ClusterArn => "cluster-arn",
            ValueSource::EventEnvelope => "event",
            ValueSource::CommandLine => "command-line",
            ValueSource::ImageHost => "image-host",
            ValueSource::ErrorText => "error-text",
        }
    }
}

/// A value with its provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    pub value: String,
    pub source: ValueSource,
}

/// Account and region given on the command line (`--account`, `--region`).
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// Account and region of one task, from the strongest source that has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub account: Option<Sourced>,
    pub region: Option<Sourced>,
}

impl Location {
    /// Reads the task-level sources: task ARN, cluster ARN, event envelope, then the command line.
    pub fn of_task(evidence: &Evidence, defaults: &Defaults) -> Location {
        let mut location = Location::default();
        let arns = [
            (evidence.meta.task_arn.as_deref(), ValueSource::TaskArn),
            (
                evidence.meta.cluster_arn.as_deref(),
                ValueSource::ClusterArn,
            ),
        ];
        for (arn, source) in arns {
            // The task ARN usually gives both; a value offered once is kept.
            if location.account.is_some() && location.region.is_some() {
                break;
            }
            if let Some(arn) = arn.and_then(Arn::parse) {
                location.offer(arn.account_id(), arn.region_name(), source);
            }
        }
        location.offer(
            evidence.meta.envelope_account.as_deref(),
            evidence.meta.envelope_region.as_deref(),
            ValueSource::EventEnvelope,
        );
        location.offer(
            defaults.account.as_deref(),
            defaults.region.as_deref(),
            ValueSource::CommandLine,
        );
        location
    }

    /// Fills what is still unknown from the image host, then from ARNs in `text`.
    pub fn completed_from(&self, image: Option<&ImageRef>, text: &str) -> Location {
        let mut location = self.clone();
        if let Some(ecr) = image.and_then(ImageRef::ecr) {
            location.offer(Some(ecr.account), Some(ecr.region), ValueSource::ImageHost);
        }
        if location.account.is_none() || location.region.is_none() {
            for arn in find_arns(text) {
                location.offer(arn.account_id(), arn.region_name(), ValueSource::ErrorText);
            }
        }
        location
    }

    fn offer(&mut self, account: Option<&str>, region: Option<&str>, source: ValueSource) {
        if self.account.is_none()
            && let Some(value) = account.filter(|a| crate::arn::is_account_id(a))
        {
            self.account = Some(Sourced {
                value: value.to_string(),
                source,
            });
        }
        if self.region.is_none()
            && let Some(value) = region.filter(|r| crate::arn::is_region(r))
        {
            self.region = Some(Sourced {
                value: value.to_string(),
                source,
            });
        }
    }
}

/// Decides how each value from the input appears in a finding: as itself, replaced (credentials
/// masked, `--redact` tokens), or not at all (`None`: templates show the visible placeholder
/// `<name>`). Called with the variable's name, or `None` for a message quoted as evidence.
pub type ShowValue<'a> = dyn FnMut(Option<&str>, &str) -> Option<String> + 'a;

/// Shows every value as it is.
pub fn show_as_is(_: Option<&str>, value: &str) -> Option<String> {
    Some(value.to_string())
}

/// The values for one finding, by name.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    values: Vec<(String, String)>,
}

impl Variables {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The values as `show` lets them appear; a value it withholds is left out.
    pub fn shown(self, show: &mut ShowValue<'_>) -> Variables {
        Variables {
            values: self
                .values
                .into_iter()
                .filter_map(|(name, value)| show(Some(&name), &value).map(|v| (name, v)))
                .collect(),
        }
    }

    /// The values of `names`, in that order (absent ones left out).
    pub fn select(&self, names: &[String]) -> Vec<(String, String)> {
        names
            .iter()
            .filter_map(|n| self.get(n).map(|v| (n.clone(), v.to_string())))
            .collect()
    }

    /// `select`, moving the values out rather than copying them (a summary keeps them for
    /// every task); only a name asked for twice is copied.
    fn into_selected(mut self, names: &[String]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::with_capacity(names.len());
        for name in names {
            if let Some(at) = self.values.iter().position(|(n, _)| n == name) {
                out.push(self.values.swap_remove(at));
            } else if let Some(taken) = out.iter().find(|(n, _)| n == name) {
                out.push(taken.clone());
            }
        }
        out
    }

    fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.values.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name.to_string(), value)),
        }
    }

    fn set_opt(&mut self, name: &str, value: Option<impl Into<String>>) {
        if let Some(value) = value {
            self.set(name, value);
        }
    }

    /// Builds the variables for a finding: captures, then task context, then image values.
    pub fn build(
        evidence: &Evidence,
        task_location: &Location,
        captures: &[(String, String)],
        container: Option<usize>,
        text: &str,
    ) -> (Variables, Location) {
        Self::build_for(evidence, task_location, captures, container, text, None)
    }

    /// The values of `names` only, as `build(..).0.select(names)` gives them, without
    /// computing the others (a summary of many tasks needs a few values per task).
    pub fn build_selected(
        evidence: &Evidence,
        task_location: &Location,
        captures: &[(String, String)],
        container: Option<usize>,
        text: &str,
        names: &[String],
    ) -> Vec<(String, String)> {
        if names.is_empty() {
            return Vec::new();
        }
        let (vars, _) = Self::build_for(
            evidence,
            task_location,
            captures,
            container,
            text,
            Some(names),
        );
        vars.into_selected(names)
    }

    fn build_for(
        evidence: &Evidence,
        task_location: &Location,
        captures: &[(String, String)],
        container: Option<usize>,
        text: &str,
        wanted: Option<&[String]>,
    ) -> (Variables, Location) {
        let wants = |name: &str| wanted.is_none_or(|names| names.iter().any(|n| n == name));
        let mut vars = Variables::default();
        // A value the poster hid is unknown: the template shows its placeholder instead.
        for (name, value) in captures {
            if !value.eq_ignore_ascii_case(crate::normalize::REDACTED) {
                vars.set(name, value.clone());
            }
        }
        let container = container.and_then(|i| evidence.containers.get(i));
        let image_text = vars
            .get("image")
            .map(str::to_string)
            .or_else(|| container.and_then(|c| c.image.clone()))
            .or_else(|| single_image(evidence));
        let image = image_text.as_deref().and_then(ImageRef::parse);
        let location = task_location.completed_from(image.as_ref(), text);

        // Set whether wanted or not: the image values below are written with them.
        vars.set_opt(
            "account",
            location.account.as_ref().map(|s| s.value.clone()),
        );
        vars.set_opt("region", location.region.as_ref().map(|s| s.value.clone()));
        if wants("cluster") {
            let cluster = evidence
                .meta
                .cluster_arn
                .as_deref()
                .or(evidence
                    .meta
                    .task_arn
                    .as_deref()
                    .filter(|arn| arn.matches('/').count() >= 2))
                .map(cluster_name);
            vars.set_opt("cluster", cluster);
        }
        if wants("service") {
            vars.set_opt("service", evidence.service());
        }
        if wants("family") {
            vars.set_opt("family", evidence.family());
        }
        if wants("task_id") {
            vars.set_opt("task_id", evidence.task_id());
        }
        if wants("task_arn") {
            vars.set_opt("task_arn", evidence.meta.task_arn.clone());
        }
        if wants("stop_code") {
            vars.set_opt("stop_code", evidence.stop_code.clone());
        }
        if let Some(c) = container {
            if !c.name.is_empty() && wants("container") {
                vars.set("container", c.name.clone());
            }
            if wants("exit_code") {
                vars.set_opt("exit_code", c.exit_code.map(|e| e.to_string()));
            }
        }
        if let Some(text) = image_text {
            vars.set("image", text);
        }
        let image_values = |n: &String| n.starts_with("image_") || n.starts_with("cache_");
        if let Some(image) = &image
            && wanted.is_none_or(|names| names.iter().any(image_values))
        {
            vars.set_image_values(image);
        }
        (vars, location)
    }

    fn set_image_values(&mut self, image: &ImageRef) {
        self.set("image_registry", image.registry.clone());
        self.set("image_repository", image.repository.clone());
        self.set("image_reference", image.reference().to_string());
        if let Some(ecr) = image.ecr() {
            self.set("image_account", ecr.account);
            self.set("image_region", ecr.region);
        }
        let account = self.get("account").unwrap_or("<account>").to_string();
        let region = self.get("region").unwrap_or("<region>").to_string();
        let cache = if let (Some(upstream), Some(url)) = (image.upstream(), image.upstream_url()) {
            let repository = image.cached_repository(upstream.prefix);
            let cached = format!(
                "{account}.dkr.ecr.{region}.amazonaws.com/{repository}{}",
                image.reference_suffix()
            );
            Some((upstream, url, repository, cached, image.to_string()))
        } else if let Some((upstream, original)) = image.cache_origin() {
            let url = upstream
                .url
                .map_or_else(|| "<registry>.azurecr.io".to_string(), str::to_string);
            Some((
                upstream,
                url,
                image.repository.clone(),
                image.to_string(),
                original,
            ))
        } else {
            None
        };
        if let Some((upstream, url, repository, cached, original)) = cache {
            self.set("cache_prefix", upstream.prefix);
            self.set("cache_upstream", url);
            self.set("cache_repository", repository);
            self.set("cache_image", cached);
            self.set("cache_upstream_image", original);
            let credential = if upstream.needs_credentials {
                format!(
                    " --credential-arn arn:aws:secretsmanager:{region}:{account}:secret:ecr-pullthroughcache/{}",
                    upstream.prefix
                )
            } else {
                String::new()
            };
            self.set("cache_credential_arg", credential);
        }
    }
}

/// The image of the task when all its containers that name one use the same image.
fn single_image(evidence: &Evidence) -> Option<String> {
    let mut images = evidence
        .containers
        .iter()
        .filter_map(|c| c.image.as_deref());
    let first = images.next()?;
    images.all(|i| i == first).then(|| first.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContainerEvidence, Source};

    #[test]
    fn task_arn_beats_command_line_and_image_host() {
        let mut ev = Evidence::task(Source::Task { index: 0 });
        ev.meta.task_arn = Some("arn:aws:ecs:eu-west-1:111122223333:task/prod/abc".into());
        let defaults = Defaults {
            account: Some("999999999999".into()),
            region: Some("us-east-1".into()),
        };
        let loc = Location::of_task(&ev, &defaults);
        assert_eq!(loc.account.as_ref().unwrap().value, "111122223333");
        assert_eq!(loc.region.as_ref().unwrap().source, ValueSource::TaskArn);
    }

    #[test]
    fn selected_values_are_those_of_the_whole_set() {
        let mut ev = Evidence::task(Source::Task { index: 0 });
        ev.meta.task_arn = Some("arn:aws:ecs:eu-west-1:111122223333:task/prod/abc".into());
        ev.meta.group = Some("service:web".into());
        ev.meta.task_definition_arn =
            Some("arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7".into());
        ev.stop_code = Some("TaskFailedToStart".into());
        ev.containers.push(ContainerEvidence {
            name: "app".into(),
            image: Some("docker.io/library/nginx:1.27".into()),
            exit_code: Some(137),
            ..ContainerEvidence::default()
        });
        let loc = Location::of_task(&ev, &Defaults::default());
        let names: Vec<String> = CONTEXT_VARIABLES
            .iter()
            .map(|(n, _)| n.to_string())
            .chain(["tag".to_string(), "cluster".to_string()])
            .collect();
        for captures in [
            vec![],
            vec![(
                "image".to_string(),
                "public.ecr.aws/nginx/nginx:latest".to_string(),
            )],
            vec![
                ("cluster".to_string(), "captured".to_string()),
                ("tag".to_string(), "v1".to_string()),
            ],
        ] {
            for container in [None, Some(0)] {
                let (all, _) = Variables::build(&ev, &loc, &captures, container, "");
                let mut subsets: Vec<Vec<String>> = names.iter().map(|n| vec![n.clone()]).collect();
                subsets.push(names.clone());
                subsets.push(vec!["cache_image".into(), "service".into()]);
                for subset in subsets {
                    assert_eq!(
                        Variables::build_selected(&ev, &loc, &captures, container, "", &subset),
                        all.select(&subset),
                        "{subset:?} with {captures:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn seed_one_rewrite_uses_placeholders_when_account_unknown() {
        let ev = Evidence::pasted(1, String::new());
        let loc = Location::of_task(&ev, &Defaults::default());
        let captures = vec![(
            "image".to_string(),
            "public.ecr.aws/nginx/nginx:latest".to_string(),
        )];
        let (vars, _) = Variables::build(&ev, &loc, &captures, None, "");
        assert_eq!(
            vars.get("cache_image"),
            Some("<account>.dkr.ecr.<region>.amazonaws.com/ecr-public/nginx/nginx:latest")
        );
        assert_eq!(vars.get("cache_upstream"), Some("public.ecr.aws"));
        assert_eq!(vars.get("cache_credential_arg"), Some(""));
        assert_eq!(vars.get("account"), None);
    }

    #[test]
    fn docker_hub_rewrite_needs_credentials() {
        let mut ev = Evidence::task(Source::Task { index: 0 });
        ev.meta.task_arn = Some("arn:aws:ecs:eu-west-1:111122223333:task/prod/abc".into());
        ev.containers.push(ContainerEvidence {
            name: "web".into(),
            image: Some("nginx:1.27".into()),
            ..Default::default()
        });
        let loc = Location::of_task(&ev, &Defaults::default());
        let (vars, _) = Variables::build(&ev, &loc, &[], Some(0), "");
        assert_eq!(
            vars.get("cache_image"),
            Some("111122223333.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/nginx:1.27")
        );
        assert!(
            vars.get("cache_credential_arg")
                .unwrap()
                .contains("ecr-pullthroughcache/docker-hub")
        );
        assert_eq!(vars.get("container"), Some("web"));
        assert_eq!(vars.get("cluster"), Some("prod"));
    }

    #[test]
    fn image_host_fills_account_and_region() {
        let ev = Evidence::pasted(1, String::new());
        let loc = Location::of_task(&ev, &Defaults::default());
        let captures = vec![(
            "image".to_string(),
            "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecr-public/nginx/nginx:stable"
                .to_string(),
        )];
        let (vars, loc) = Variables::build(&ev, &loc, &captures, None, "");
        assert_eq!(vars.get("account"), Some("123456789012"));
        assert_eq!(loc.region.unwrap().source, ValueSource::ImageHost);
        assert_eq!(vars.get("cache_prefix"), Some("ecr-public"));
        assert_eq!(
            vars.get("cache_upstream_image"),
            Some("public.ecr.aws/nginx/nginx:stable")
        );
    }
}
