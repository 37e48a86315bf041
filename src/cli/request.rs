//! `verdict request`: build an ESC-dialect request document from flags, to pipe into
//! `verdict eval`.

use std::path::PathBuf;

use super::args::{RequestAction, RequestArgs};
use super::output;
use crate::error::Result;
use crate::exit::Exit;
use crate::input;
use crate::ruleset::{JsonSource, RequestKind, RequestOptions, build_request};

pub fn run(args: &RequestArgs) -> Result<Exit> {
    let kind = match args.action {
        RequestAction::OpenRequest => RequestKind::OpenRequest,
        RequestAction::Open => RequestKind::Open,
        RequestAction::Update => RequestKind::Update,
        RequestAction::Write => RequestKind::Write,
    };
    let mut options = RequestOptions::new(kind, args.environment.clone(), args.requester.clone());
    options.requester_teams = args.requester_teams.clone();
    options.permissions = args.permissions.clone();
    options.ephemeral = args.ephemeral;
    options.revision = args.revision;
    options.access_duration = args.access_duration.clone();
    options.grant_expiration = args.grant_expiration.clone();
    options.description = args.description.clone();
    options.id = args.id.clone();
    options.now = args.now.clone();
    options.reviews = read_all(&args.reviews)?;
    options.grants = read_all(&args.grants)?;
    options.environments = read_all(&args.environments)?;
    let document = build_request(&options)?;
    let text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| document.to_string());
    output::print_stdout(&format!("{text}\n"))?;
    Ok(Exit::Success)
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<JsonSource>> {
    paths
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let bytes =
                std::fs::read(path).map_err(|error| crate::error::Error::io(&name, &error))?;
            let text = input::decode(&name, &bytes)?;
            let value = serde_json::from_str(text)
                .map_err(|error| input::json_error(&name, text, &error))?;
            Ok(JsonSource { name, value })
        })
        .collect()
}
