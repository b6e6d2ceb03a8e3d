// One sticky pull-request comment per kind: the comment whose body carries `marker` is
// updated, or made once. Used by actions/github-script in .github/workflows/preview.yml.
const fs = require("node:fs");

/** Posts `file` as the pull request's comment marked `marker`. */
module.exports = async function stickyComment({ github, context, marker, file }) {
  const body = fs.readFileSync(file, "utf8");
  if (!body.includes(marker)) throw new Error(`${file} does not carry the marker ${marker}`);
  const { owner, repo } = context.repo;
  const issue_number = context.payload.pull_request.number;
  const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  const mine = comments.find(
    (c) => c.user && c.user.type === "Bot" && typeof c.body === "string" && c.body.includes(marker),
  );
  if (mine) await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
  else await github.rest.issues.createComment({ owner, repo, issue_number, body });
};
