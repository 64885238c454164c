//! Container image references and the ECR pull-through-cache rewrite.
//!
//! Fixes name the user's own registry, repository and tag, so the image in an error (or in the
//! task) is parsed here once. The table of pull-through-cache upstreams is registry knowledge
//! (which hosts ECR can cache, under which conventional prefix), not error knowledge, so it
//! lives in code next to the parser that uses it.

use crate::arn::{is_account_id, is_region};

/// A parsed image reference such as `public.ecr.aws/nginx/nginx:latest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (with port, if any). Docker Hub is always `docker.io`.
    pub registry: String,
    /// Repository path within the registry; Docker Hub official images carry `library/`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// An ECR private registry host: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EcrRegistry<'a> {
    pub account: &'a str,
    pub region: &'a str,
}

/// One upstream registry that an ECR pull-through-cache rule can mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upstream {
    /// Human name, as AWS documents it.
    pub name: &'static str,
    /// The `--upstream-registry-url` value; `None` when it is the image's own host (Azure).
    pub url: Option<&'static str>,
    /// The repository prefix conventionally used for this upstream.
    pub prefix: &'static str,
    /// Whether the rule needs a Secrets Manager credential (`ecr-pullthroughcache/` secret).
    pub needs_credentials: bool,
}

/// The upstreams ECR pull-through cache supports, with their conventional prefixes.
/// Source: https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
pub const UPSTREAMS: &[(&str, Upstream)] = &[
    (
        "public.ecr.aws",
        Upstream {
            name: "Amazon ECR Public",
            url: Some("public.ecr.aws"),
            prefix: "ecr-public",
            needs_credentials: false,
        },
    ),
    (
        "docker.io",
        Upstream {
            name: "Docker Hub",
            url: Some("registry-1.docker.io"),
            prefix: "docker-hub",
            needs_credentials: true,
        },
    ),
    (
        "quay.io",
        Upstream {
            name: "Quay",
            url: Some("quay.io"),
            prefix: "quay",
            needs_credentials: false,
        },
    ),
    (
        "registry.k8s.io",
        Upstream {
            name: "Kubernetes container image registry",
            url: Some("registry.k8s.io"),
            prefix: "kubernetes",
            needs_credentials: false,
        },
    ),
    (
        "ghcr.io",
        Upstream {
            name: "GitHub Container Registry",
            url: Some("ghcr.io"),
            prefix: "github",
            needs_credentials: true,
        },
    ),
    (
        "registry.gitlab.com",
        Upstream {
            name: "GitLab Container Registry",
            url: Some("registry.gitlab.com"),
            prefix: "gitlab",
            needs_credentials: true,
        },
    ),
    (
        ".azurecr.io",
        Upstream {
            name: "Microsoft Azure Container Registry",
            url: None,
            prefix: "azure",
            needs_credentials: true,
        },
    ),
    (
        "cgr.dev",
        Upstream {
            name: "Chainguard Registry",
            url: Some("cgr.dev"),
            prefix: "chainguard",
            needs_credentials: true,
        },
    ),
];

const DOCKER_HUB_ALIASES: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

impl ImageRef {
    /// Parses an image reference. Accepts a leading `https://`, quotes and a `/v2/` API path
    /// are not accepted (those are URLs, not images). `None` for text that is not an image.
    pub fn parse(text: &str) -> Option<ImageRef> {
        let text = text.trim().trim_matches(|c| c == '"' || c == '\'');
        let text = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .unwrap_or(text);
        if text.is_empty() || text.contains(char::is_whitespace) {
            return None;
        }
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (text, None),
        };
        // A tag follows the last ':' only if no '/' comes after it (else it was a port).
        let (name, tag) = match name.rfind(':') {
            Some(i) if !name[i..].contains('/') => (&name[..i], Some(name[i + 1..].to_string())),
            _ => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_ascii_lowercase(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        if repository.is_empty() || repository.starts_with("v2/") || tag.as_deref() == Some("") {
            return None;
        }
        let valid_repo = repository.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
        if !valid_repo || !is_registry_host(&registry) {
            return None;
        }
        let registry = if DOCKER_HUB_ALIASES.contains(&registry.as_str()) {
            "docker.io".to_string()
        } else {
            registry
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `:tag`, `@sha256:...`, or `:latest` when the reference names neither (what ECS pulls).
    pub fn reference_suffix(&self) -> String {
        match (&self.tag, &self.digest) {
            (_, Some(digest)) => format!("@{digest}"),
            (Some(tag), None) => format!(":{tag}"),
            (None, None) => ":latest".to_string(),
        }
    }

    /// The tag, the digest, or `latest`.
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// The registry when it is an ECR private registry.
    pub fn ecr(&self) -> Option<EcrRegistry<'_>> {
        parse_ecr_host(&self.registry)
    }

    /// The pull-through-cache upstream this image's registry corresponds to.
    pub fn upstream(&self) -> Option<Upstream> {
        UPSTREAMS.iter().find_map(|(host, upstream)| {
            let matches = if host.starts_with('.') {
                self.registry.ends_with(host)
            } else {
                self.registry == *host
            };
            matches.then_some(*upstream)
        })
    }

    /// The `--upstream-registry-url` for this image's registry.
    pub fn upstream_url(&self) -> Option<String> {
        let upstream = self.upstream()?;
        Some(
            upstream
                .url
                .map_or_else(|| self.registry.clone(), str::to_string),
        )
    }

    /// The repository name this image gets in an ECR pull-through cache with `prefix`.
    pub fn cached_repository(&self, prefix: &str) -> String {
        format!("{prefix}/{}", self.repository)
    }

    /// For an image in ECR whose first path segment is a conventional cache prefix, the
    /// upstream it mirrors and the upstream image reference.
    pub fn cache_origin(&self) -> Option<(Upstream, String)> {
        self.ecr()?;
        let (first, rest) = self.repository.split_once('/')?;
        let (host, upstream) = UPSTREAMS.iter().find(|(_, u)| u.prefix == first)?;
        // Azure registries have their own host name, which the cache path does not keep.
        let host = if host.starts_with('.') {
            format!("<registry>{host}")
        } else {
            host.to_string()
        };
        Some((
            *upstream,
            format!("{host}/{rest}{}", self.reference_suffix()),
        ))
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}{}",
            self.registry,
            self.repository,
            self.reference_suffix()
        )
    }
}

/// `host` or `host:port`, as a registry is named.
fn is_registry_host(registry: &str) -> bool {
    let (host, port) = match registry.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (registry, None),
    };
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`.
pub fn parse_ecr_host(host: &str) -> Option<EcrRegistry<'_>> {
    let (account, rest) = host.split_once('.')?;
    let rest = rest
        .strip_prefix("dkr.ecr.")
        .or_else(|| rest.strip_prefix("dkr.ecr-fips."))?;
    let (region, suffix) = rest.split_once('.')?;
    (is_account_id(account)
        && is_region(region)
        && matches!(suffix, "amazonaws.com" | "amazonaws.com.cn"))
    .then_some(EcrRegistry { account, region })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_public_image() {
        let img = ImageRef::parse("public.ecr.aws/nginx/nginx:latest").unwrap();
        assert_eq!(img.registry, "public.ecr.aws");
        assert_eq!(img.repository, "nginx/nginx");
        assert_eq!(img.tag.as_deref(), Some("latest"));
        assert_eq!(img.upstream().unwrap().prefix, "ecr-public");
        assert_eq!(
            img.cached_repository("ecr-public"),
            "ecr-public/nginx/nginx"
        );
    }

    #[test]
    fn docker_hub_official_images_gain_library() {
        for text in [
            "nginx:1.27",
            "docker.io/nginx:1.27",
            "docker.io/library/nginx:1.27",
            "registry-1.docker.io/library/nginx:1.27",
        ] {
            let img = ImageRef::parse(text).unwrap();
            assert_eq!(img.registry, "docker.io", "{text}");
            assert_eq!(img.repository, "library/nginx", "{text}");
            assert_eq!(
                img.cached_repository("docker-hub"),
                "docker-hub/library/nginx"
            );
        }
        let user = ImageRef::parse("grafana/grafana").unwrap();
        assert_eq!(user.repository, "grafana/grafana");
        assert_eq!(user.reference_suffix(), ":latest");
    }

    #[test]
    fn ecr_private_image() {
        let img = ImageRef::parse(
            "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/team/app@sha256:abcd",
        )
        .unwrap();
        let ecr = img.ecr().unwrap();
        assert_eq!(
            (ecr.account, ecr.region),
            ("123456789012", "ap-northeast-1")
        );
        assert_eq!(img.repository, "team/app");
        assert_eq!(img.reference(), "sha256:abcd");
        assert!(img.upstream().is_none());
    }

    #[test]
    fn registry_with_port() {
        let img = ImageRef::parse("registry.local:5000/app").unwrap();
        assert_eq!(img.registry, "registry.local:5000");
        assert_eq!(img.tag, None);
    }

    #[test]
    fn cache_origin_of_a_rewritten_image() {
        let img = ImageRef::parse(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public/nginx/nginx:stable",
        )
        .unwrap();
        let (upstream, original) = img.cache_origin().unwrap();
        assert_eq!(upstream.url, Some("public.ecr.aws"));
        assert_eq!(original, "public.ecr.aws/nginx/nginx:stable");
    }

    #[test]
    fn every_upstream_has_a_prefix() {
        let cases = [
            ("quay.io/prometheus/node-exporter:v1", "quay", "quay.io"),
            ("registry.k8s.io/pause:3.9", "kubernetes", "registry.k8s.io"),
            ("ghcr.io/org/app:1", "github", "ghcr.io"),
            (
                "registry.gitlab.com/grp/app:1",
                "gitlab",
                "registry.gitlab.com",
            ),
            ("myreg.azurecr.io/app:1", "azure", "myreg.azurecr.io"),
            ("cgr.dev/chainguard/static:latest", "chainguard", "cgr.dev"),
        ];
        for (text, prefix, url) in cases {
            let img = ImageRef::parse(text).unwrap();
            assert_eq!(img.upstream().unwrap().prefix, prefix, "{text}");
            assert_eq!(img.upstream_url().unwrap(), url, "{text}");
        }
    }

    #[test]
    fn not_images() {
        assert_eq!(ImageRef::parse(""), None);
        assert_eq!(ImageRef::parse("two words"), None);
        assert_eq!(
            ImageRef::parse("public.ecr.aws/v2/nginx/manifests/latest"),
            None
        );
    }

    #[test]
    fn ecr_hosts() {
        assert!(parse_ecr_host("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com").is_some());
        assert!(parse_ecr_host("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn").is_some());
        assert!(parse_ecr_host("123456789012.dkr.ecr.us-east-1.amazonaws.commmmm").is_none());
        assert!(parse_ecr_host("dkr.ecr.us-east-1.amazonaws.com").is_none());
    }
}
