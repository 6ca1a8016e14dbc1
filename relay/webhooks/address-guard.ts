/**
 * SSRF guard: webhook URLs are user input. A destination's host is resolved here, every address is
 * checked against the private, loopback, link-local and other non-public ranges (refused unless an
 * allow-listed network holds it), and the request then connects to the checked address (pinned), so
 * a DNS answer that changes between the check and the connection (rebinding) cannot move it.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { EventBusError } from "../../protocol/errors.js";

/** Ranges no webhook may reach unless allow-listed (IANA special-purpose registries). */
const NON_PUBLIC: readonly (readonly [string, number, "ipv4" | "ipv6"])[] = [
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["64:ff9b::", 96, "ipv6"],
  ["100::", 64, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
];

export interface PinnedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export type Resolver = (host: string) => Promise<readonly PinnedAddress[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

export interface AddressGuard {
  /** The address to connect to; INVALID_OPTIONS (code) when the destination is refused. */
  resolve(host: string): Promise<PinnedAddress>;
}

/** Parses `10.0.0.0/8`, `127.0.0.1`, `::1/128` into a BlockList; CONFIG_INVALID on anything else. */
export function networkList(networks: readonly string[], where: string): BlockList {
  const list = new BlockList();
  for (const network of networks) {
    const [address = "", bits] = network.split("/");
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      throw new EventBusError("CONFIG_INVALID", `${where}: "${network}" is not an address or CIDR network.`);
    }
    list.addSubnet(address, prefix, family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

export function createAddressGuard(allowed: BlockList, resolver: Resolver = systemResolver): AddressGuard {
  const blocked = new BlockList();
  for (const [address, prefix, type] of NON_PUBLIC) blocked.addSubnet(address, prefix, type);
  const refused = (a: PinnedAddress) => {
    // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
    const mapped = mappedIpv4(a.address);
    const [address, type] = mapped
      ? [mapped, "ipv4" as const]
      : [a.address, a.family === 6 ? ("ipv6" as const) : ("ipv4" as const)];
    return blocked.check(address, type) && !allowed.check(address, type);
  };
  return {
    async resolve(host) {
      const bare = host.startsWith("[") ? host.slice(1, -1) : host;
      const literal = isIP(bare);
      const addresses: readonly PinnedAddress[] =
        literal === 0 ? await resolver(bare) : [{ address: bare, family: literal === 6 ? 6 : 4 }];
      // Every answer must be acceptable: an attacker's name may mix a public and a private address.
      const bad = addresses.find(refused);
      if (bad) {
        throw new EventBusError(
          "FORBIDDEN",
          `Webhook destination ${host} resolves to ${bad.address}, a private, loopback or link-local address.`,
          { hint: "Add the network to allowNetworks if this destination is intended." },
        );
      }
      const first = addresses[0];
      if (!first) throw new EventBusError("NOT_FOUND", `Webhook destination ${host} has no address.`);
      return first;
    },
  };
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1` or `::ffff:a00:1`), if it is one. */
function mappedIpv4(address: string): string | undefined {
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [high, low] = [Number.parseInt(hex[1] as string, 16), Number.parseInt(hex[2] as string, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}
