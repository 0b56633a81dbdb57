//! Every RPC of `essay.v1` has an essayctl command, or a line in the README
//! saying why not: walks the descriptor set (as tests/isolation.rs does for
//! tenancy) against `essayd::cli::COMMANDS`, the one mapping table.

use std::collections::BTreeSet;

use clap::CommandFactory;
use essayd::{cli::COMMANDS, proto::FILE_DESCRIPTOR_SET};
use prost::Message;

/// Every RPC of `essay.v1`, as `Service/Method`.
fn every_rpc() -> BTreeSet<String> {
    let set = prost_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).unwrap();
    set.file
        .iter()
        .filter(|f| f.package() == "essay.v1")
        .flat_map(|f| &f.service)
        .flat_map(|s| s.method.iter().map(move |m| format!("{}/{}", s.name(), m.name())))
        .collect()
}

/// The RPCs the README's "What essayctl leaves out" names, each with a reason.
fn left_out_in_readme() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("### What essayctl leaves out")
        .expect("the README says what essayctl leaves out");
    let section = &readme[start..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |i| i + 4)];
    section
        .lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split_once("`:"))
        .filter(|(_, why)| why.trim().len() > 10)
        .map(|(rpc, _)| rpc.to_owned())
        .collect()
}

#[test]
fn every_rpc_has_a_command_or_a_reason_in_the_readme() {
    let mapped: BTreeSet<String> = COMMANDS.iter().map(|(rpc, _)| (*rpc).to_owned()).collect();
    let left_out = left_out_in_readme();
    let missing: Vec<_> = every_rpc()
        .into_iter()
        .filter(|rpc| !mapped.contains(rpc) && !left_out.contains(rpc))
        .collect();
    assert!(
        missing.is_empty(),
        "RPCs with no essayctl command (add one and a line to essayd::cli::COMMANDS, or say why not in \
         the README's \"What essayctl leaves out\"): {missing:?}"
    );
    let stale: Vec<_> = mapped
        .union(&left_out)
        .filter(|rpc| !every_rpc().contains(*rpc))
        .collect();
    assert!(stale.is_empty(), "mapped RPCs the API does not have: {stale:?}");
}

#[test]
fn every_mapped_command_exists() {
    let cli = essayd::cli::Cli::command();
    for (rpc, command) in COMMANDS {
        let mut at = &cli;
        for word in command.split_whitespace().skip(1) {
            at = at
                .find_subcommand(word)
                .unwrap_or_else(|| panic!("{rpc} maps to `{command}`, which has no `{word}`"));
        }
        assert!(
            at.get_subcommands().next().is_none(),
            "{rpc} maps to `{command}`, which needs a subcommand"
        );
    }
}

#[test]
fn every_flag_and_argument_says_what_it_is_for_without_an_empty_default() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id != "help" && id != "version" && arg.get_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
            let empty_default = arg.get_default_values().iter().any(|v| v.is_empty());
            if empty_default && !arg.is_hide_default_value_set() {
                missing.push(format!("{path} {id} shows [default: \"\"]"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    let mut cli = essayd::cli::Cli::command();
    cli.build();
    walk(&cli, "essayctl", &mut missing);
    assert!(missing.is_empty(), "flags without help text: {missing:?}");
}
