/** `event-bus token`: prints a development JWT (HS256) for a user. Never for production. */
import { roomGlobProblem } from "../../protocol/names.js";
import { parseDuration } from "../auth/create-token.js";
import { createDevToken } from "../auth/dev-token.js";
import { parseCommandLine, usageError } from "./usage.js";

export const usage = `Usage: event-bus token --sub <userId> [options]

Prints a development JWT signed with HS256. Never use these in production: a backend issues its
users' tokens with createToken (docs/client.md, "Issuing tokens").

Options:
  --sub <id>          user id (the token's sub claim)                    required
  --rooms <globs>     comma-separated room-name globs the user may join   e.g. 'photo:*,team:42'
  --publish <globs>   comma-separated room-name globs the user may publish to
  --roles <names>     comma-separated roles                               e.g. admin
  --ttl <duration>    lifetime: seconds or 15m, 1h, 7d                    default 1h
  --secret <secret>   HS256 secret (default: $JWT_SECRET)
  --issuer <iss>      iss claim (default: $JWT_ISSUER)
  --audience <aud>    aud claim (default: $JWT_AUDIENCE)
`;

const list = (value: string | undefined) =>
  value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function parse(args: readonly string[]) {
  return parseCommandLine({
    args: [...args],
    options: {
      sub: { type: "string" },
      rooms: { type: "string" },
      publish: { type: "string" },
      roles: { type: "string" },
      ttl: { type: "string", default: "1h" },
      secret: { type: "string" },
      issuer: { type: "string" },
      audience: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parse(args);
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const secret = values.secret ?? process.env.JWT_SECRET;
  if (!values.sub) throw usageError("--sub is required (the user id).");
  if (!secret) throw usageError("No secret: pass --secret or set JWT_SECRET to the relay's secret.");
  const rooms = globs(values.rooms, "--rooms");
  const publish = globs(values.publish, "--publish");
  const roles = list(values.roles);
  const issuer = values.issuer ?? process.env.JWT_ISSUER;
  const audience = values.audience ?? process.env.JWT_AUDIENCE;
  const token = await createDevToken({
    sub: values.sub,
    secret,
    ttl: parseDuration(values.ttl, "--ttl"),
    ...(rooms && { rooms }),
    ...(publish && { publish }),
    ...(roles && { roles }),
    ...(issuer && { issuer }),
    ...(audience && { audience }),
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

/** A comma-separated glob list; a glob that can never match a room is refused, naming the flag. */
function globs(value: string | undefined, flag: string): string[] | undefined {
  const items = list(value);
  for (const glob of items ?? []) {
    const why = roomGlobProblem(glob);
    if (why) throw usageError(`${flag} glob ${JSON.stringify(glob)} can never match a room: ${why}.`);
  }
  return items;
}
