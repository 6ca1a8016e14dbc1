/** `event-bus token`: prints a development JWT (HS256) for a user. Never for production. */
import { parseArgs } from "node:util";
import { createDevToken } from "../auth/dev-token.js";

const USAGE = `Usage: event-bus token --sub <userId> [options]

Prints a development JWT signed with HS256. Never use these in production.

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

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
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
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const secret = values.secret ?? process.env.JWT_SECRET;
  if (!values.sub) {
    process.stderr.write(`event-bus token: --sub is required (the user id).\n\n${USAGE}`);
    return 2;
  }
  if (!secret) {
    process.stderr.write(
      "event-bus token: no secret; pass --secret or set JWT_SECRET to the relay's secret.\n",
    );
    return 2;
  }
  const rooms = list(values.rooms);
  const publish = list(values.publish);
  const roles = list(values.roles);
  const issuer = values.issuer ?? process.env.JWT_ISSUER;
  const audience = values.audience ?? process.env.JWT_AUDIENCE;
  const token = await createDevToken({
    sub: values.sub,
    secret,
    ttl: values.ttl,
    ...(rooms && { rooms }),
    ...(publish && { publish }),
    ...(roles && { roles }),
    ...(issuer && { issuer }),
    ...(audience && { audience }),
  });
  process.stdout.write(`${token}\n`);
  return 0;
}
