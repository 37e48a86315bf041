//! Comments survive formatting, in their place: above what they preceded, or trailing the
//! line they ended.

use super::{formats, unchanged};

#[test]
fn comments_between_items_and_statements() {
    unchanged(
        "# file header\n\n# about p\npolicy \"p\" {\n  # about a\n  when a\n\n  # about b\n  # more\n  let b = 1\n}\n\n# about t\ntest \"t\" {}\n\n# the end\n",
    );
}

#[test]
fn comments_are_indented_with_what_follows() {
    formats(
        "policy \"p\" {\n# a\n        when a\n            # b\n}\n    # c",
        "policy \"p\" {\n  # a\n  when a\n  # b\n}\n\n# c\n",
    );
}

#[test]
fn trailing_comments_stay_on_their_line() {
    formats(
        "policy \"p\" { # header\n  when a # guard\n  let b = 1 # b\n} # done",
        "policy \"p\" {  # header\n  when a     # guard\n  let b = 1  # b\n}  # done\n",
    );
}

#[test]
fn comments_inside_a_joined_line_move_above_it() {
    formats(
        "policy \"p\" {\n  when a and # first\n    b # second\n}",
        "policy \"p\" {\n  # first\n  when a and b  # second\n}\n",
    );
}

#[test]
fn comments_in_broken_collections() {
    unchanged(
        "policy \"p\" {\n  config {\n    # limits\n    a: 1,  # dollars\n\n    b: 2,\n    # last\n  }\n}\n",
    );
}

#[test]
fn comments_in_broken_rules() {
    unchanged(
        "policy \"p\" {\n  deny \"m\"  # head\n    # before for\n    for r in rs  # each\n    if r.bad     # condition\n}\n",
    );
}

#[test]
fn comments_only() {
    formats("#a\n\n\n#b", "#a\n\n#b\n");
    unchanged("# only\n");
}

#[test]
fn comments_in_an_otherwise_empty_block() {
    unchanged("policy \"p\" {\n  # nothing yet\n}\n");
    unchanged("test \"t\" {  # nothing yet\n}\n");
}
