//! Properties that must hold for any input, checked on generated cases: normalisation is
//! idempotent and yields clean text, image references survive a parse/print round trip, and
//! redaction leaves nothing it learned behind and changes nothing the second time.

use ecs_diagnose::image::ImageRef;
use ecs_diagnose::normalize::normalize;
use ecs_diagnose::redact::{Kind, Redactor};
use proptest::prelude::*;

/// Text shaped like stop reasons: words, punctuation, quotes of every kind, escapes, control
/// characters, retry counters and truncation marks, in any order.
fn reason_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9:/._-]{1,12}",
        Just(" ".to_string()),
        Just("  \t".to_string()),
        Just("\\n".to_string()),
        Just("\n".to_string()),
        Just("\u{2019}".to_string()),
        Just("\u{201C}".to_string()),
        Just("\u{1b}[31m".to_string()),
        Just("\u{1b}]0;title\u{7}".to_string()),
        Just("\u{1b}".to_string()),
        Just("\u{0}".to_string()),
        Just("retried ".to_string()),
        Just("5 times".to_string()),
        Just(" time(s)".to_string()),
        Just(" time".to_string()),
        Just("...".to_string()),
        Just("\u{2026}".to_string()),
        Just("\\".to_string()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalisation_is_idempotent(text in reason_like()) {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once.clone(), "input {:?}", text);
    }

    #[test]
    fn normalised_text_is_clean(text in reason_like()) {
        let out = normalize(&text);
        prop_assert!(!out.chars().any(|c| c.is_control()), "{:?}", out);
        prop_assert!(!out.contains("  "), "{:?}", out);
        prop_assert_eq!(out.trim(), out.as_str());
        prop_assert!(!out.contains(['\u{2019}', '\u{201C}']), "{:?}", out);
    }
}

fn registry() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("docker.io".to_string()),
        Just("public.ecr.aws".to_string()),
        Just("ghcr.io".to_string()),
        Just("quay.io".to_string()),
        Just("localhost:5000".to_string()),
        (
            "[0-9]{12}",
            prop::sample::select(vec!["us-east-1", "eu-west-1", "ap-northeast-1"])
        )
            .prop_map(|(account, region)| format!("{account}.dkr.ecr.{region}.amazonaws.com")),
        "[a-z][a-z0-9-]{0,10}\\.(com|io|net)(:[0-9]{2,5})?",
    ]
}

fn repository() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z0-9]+([._-][a-z0-9]+)?", 1..4).prop_map(|parts| parts.join("/"))
}

/// The image reference as written in a task definition.
fn print(image: &ImageRef) -> String {
    let mut out = format!("{}/{}", image.registry, image.repository);
    if let Some(tag) = &image.tag {
        out.push(':');
        out.push_str(tag);
    }
    if let Some(digest) = &image.digest {
        out.push('@');
        out.push_str(digest);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn image_components_are_recovered(
        registry in registry(),
        repository in repository(),
        tag in proptest::option::of("[A-Za-z0-9_][A-Za-z0-9._-]{0,20}"),
        digest in proptest::option::of("[0-9a-f]{64}"),
    ) {
        let mut text = format!("{registry}/{repository}");
        if let Some(tag) = &tag {
            text.push_str(&format!(":{tag}"));
        }
        if let Some(digest) = &digest {
            text.push_str(&format!("@sha256:{digest}"));
        }
        let image = ImageRef::parse(&text).expect("a well-formed reference parses");
        prop_assert_eq!(&image.registry, &registry);
        let expected_repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository.clone()
        };
        prop_assert_eq!(&image.repository, &expected_repository);
        prop_assert_eq!(image.tag.as_deref(), tag.as_deref());
        prop_assert_eq!(image.digest.clone(), digest.map(|d| format!("sha256:{d}")));
    }

    #[test]
    fn printing_a_parsed_image_round_trips(text in "[a-zA-Z0-9.:/@_-]{1,60}") {
        if let Some(image) = ImageRef::parse(&text) {
            let printed = print(&image);
            prop_assert_eq!(ImageRef::parse(&printed), Some(image), "{} printed as {}", text, printed);
        }
    }
}

/// A resource name as people choose them: letters, digits, dashes and underscores.
fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{3,15}[a-z0-9]"
}

fn account() -> impl Strategy<Value = String> {
    "[1-9][0-9]{11}"
}

fn ip() -> impl Strategy<Value = String> {
    (1u8..=223, any::<u8>(), any::<u8>(), 1u8..=254)
        .prop_filter("well-known addresses are not secret", |(a, b, _, _)| {
            *a != 127 && !(*a == 169 && *b == 254)
        })
        .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"))
}

/// Separators a name can sit between in a value from the input: prose, quotes, paths, and the
/// control characters that are escaped only after redaction (an ESC, a tab, a line break, a
/// bidirectional override).
fn separator() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        " ",
        ", ",
        ": ",
        "\"",
        "`",
        "'",
        "(",
        ")",
        "/",
        "\n",
        "\t",
        "\u{1b}",
        "\u{1b}[31m",
        "\u{202e}",
        "=",
        " on ",
        "** ",
        ". ",
    ])
    .prop_map(str::to_string)
}

#[derive(Debug, Clone)]
struct Secrets {
    account: String,
    ip: String,
    role: String,
    secret: String,
    cluster: String,
    service: String,
}

fn secrets() -> impl Strategy<Value = Secrets> {
    (account(), ip(), name(), name(), name(), name())
        .prop_filter(
            "distinct names",
            |(_, _, role, secret, cluster, service)| {
                let names = [role, secret, cluster, service];
                // A name inside another (`prod` in `prod-db`) would be replaced as the longer one.
                names.iter().enumerate().all(|(i, a)| {
                    names
                        .iter()
                        .enumerate()
                        .all(|(j, b)| i == j || !a.contains(b.as_str()))
                })
            },
        )
        .prop_map(|(account, ip, role, secret, cluster, service)| Secrets {
            account,
            ip,
            role,
            secret,
            cluster,
            service,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn nothing_learned_survives_redaction(
        s in secrets(),
        seps in prop::collection::vec(separator(), 12),
        filler in "[a-zA-Z ]{0,20}",
    ) {
        let arns = format!(
            "User: arn:aws:sts::{a}:assumed-role/{role}/i-0abc is not authorized on arn:aws:secretsmanager:eu-west-1:{a}:secret:{secret}-AbCdEf",
            a = s.account, role = s.role, secret = s.secret
        );
        let mut redactor = Redactor::new();
        redactor.learn_text(&arns);
        redactor.learn_name(Kind::Cluster, &s.cluster);
        redactor.learn_name(Kind::Service, &s.service);

        // Every value, between every kind of separator, mixed with ordinary words.
        let values = [&s.account, &s.ip, &s.role, &s.secret, &s.cluster, &s.service];
        let mut text = format!("{arns} {filler}");
        for (i, value) in values.iter().cycle().take(seps.len()).enumerate() {
            text.push_str(&seps[i]);
            text.push_str(value);
            text.push_str(&seps[(i + 1) % seps.len()]);
        }
        let out = redactor.redact(&text);
        for value in values {
            prop_assert!(!out.contains(value.as_str()), "`{}` survived in {:?}", value, out);
        }
        prop_assert_eq!(redactor.redact(&out), out.clone(), "redaction is idempotent");
    }

    #[test]
    fn redaction_of_text_without_secrets_changes_nothing(text in "[a-zA-Z ,.:()-]{0,80}") {
        let mut redactor = Redactor::new();
        prop_assert_eq!(redactor.redact(&text), text);
    }
}
