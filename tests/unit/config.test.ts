import assert from "node:assert/strict";
import { ConfigError, envName, MAX_SECONDS, OPTIONS, parseConfig, shownDefault, usage } from "../../server/config.ts";

Deno.test("with no flags and no environment, every default of the design applies", () => {
  const config = parseConfig([], {});
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.tcpPort, 60000);
  assert.equal(config.httpPort, 8000);
  assert.equal(config.history, 20);
  assert.equal(config.maxLine, 2048);
  assert.equal(config.floodBurst, 10);
  assert.equal(config.floodRate, 5);
  assert.equal(config.registrationTimeoutMs, 60_000, "durations are kept in milliseconds");
  assert.equal(config.sendq, 256 * 1024);
  assert.equal(config.maxPerAddress, 16);
  assert.equal(config.maxConnections, 10_000);
  assert.equal(config.exempt, "loopback");
});

Deno.test("flags set values, in both --flag value and --flag=value forms", () => {
  const config = parseConfig(["--tcp-port", "0", "--host=::1", "--flood-rate", "0.5", "--history", "0"], {});
  assert.equal(config.tcpPort, 0);
  assert.equal(config.host, "::1");
  assert.equal(config.floodRate, 0.5);
  assert.equal(config.history, 0);
});

Deno.test("CHAT_* environment variables mirror the flags, and a flag beats its variable", () => {
  assert.equal(envName("tcp-port"), "CHAT_TCP_PORT");
  assert.equal(envName("redis"), "CHAT_REDIS_URL");
  assert.equal(parseConfig([], { CHAT_REDIS_URL: "redis://127.0.0.1:6379" }).redis, "redis://127.0.0.1:6379");
  assert.equal(envName("registration-timeout"), "CHAT_REGISTRATION_TIMEOUT");
  const env = { CHAT_TCP_PORT: "6000", CHAT_MAX_LINE: "100", CHAT_EXEMPT: "none" };
  const fromEnv = parseConfig([], env);
  assert.equal(fromEnv.tcpPort, 6000);
  assert.equal(fromEnv.maxLine, 100);
  assert.equal(fromEnv.exempt, "none");
  assert.equal(parseConfig(["--max-line", "200"], env).maxLine, 200);
});

Deno.test("a leading -- (from `deno task start -- …`) is passed over", () => {
  assert.equal(parseConfig(["--", "--tcp-port", "1234"], {}).tcpPort, 1234);
});

Deno.test("unknown flags, missing values and stray arguments are errors", () => {
  assert.throws(() => parseConfig(["--bogus", "1"], {}), TypeError);
  assert.throws(() => parseConfig(["--tcp-port"], {}), TypeError);
  assert.throws(() => parseConfig(["stray"], {}), TypeError);
});

Deno.test("numbers are checked: ports, whole numbers, limits of at least 1, positive rates", () => {
  const bad: [string[], RegExp][] = [
    [["--tcp-port", "65536"], /--tcp-port: expected a port from 0 to 65535, got "65536"/],
    [["--http-port", "80.5"], /--http-port: expected a port/],
    [["--history", "ten"], /--history: expected a whole number ≥ 0/],
    [["--history", ""], /--history: expected a whole number ≥ 0/],
    [["--max-line", "0"], /--max-line: expected a whole number ≥ 1, got "0"/],
    [["--sendq", "1e400"], /--sendq: expected a whole number ≥ 1/],
    [["--flood-rate", "0"], /--flood-rate: expected a number > 0, got "0"/],
    [["--registration-timeout=-1"], /--registration-timeout: expected a number > 0/],
    [["--exempt", "everyone"], /--exempt: expected loopback or none, got "everyone"/],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => parseConfig(args, {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `${args}: ${error}`);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("a bad environment value is reported under its flag name", () => {
  assert.throws(() => parseConfig([], { CHAT_FLOOD_BURST: "lots" }), /--flood-burst: expected a whole number ≥ 1/);
});

Deno.test("fractional seconds are allowed where a duration is asked for", () => {
  assert.equal(parseConfig(["--registration-timeout", "0.25"], {}).registrationTimeoutMs, 250);
});

Deno.test("a duration too long for a timer is refused rather than firing at once", () => {
  for (
    const flag of ["registration-timeout", "grace", "heartbeat", "header-timeout", "request-timeout", "idle-timeout"]
  ) {
    // The whole request's limit as long as can be, so that a head's may be too.
    const longest = [`--${flag}`, String(MAX_SECONDS), "--request-timeout", String(MAX_SECONDS)];
    const config: Record<string, unknown> = parseConfig(longest, {});
    assert.equal(config[OPTIONS[flag].key], MAX_SECONDS * 1000, "kept in milliseconds, and within a timer's range");
    assert.throws(
      () => parseConfig([`--${flag}`, "3000000"], {}),
      new ConfigError(`--${flag}: expected at most ${MAX_SECONDS}, got "3000000"`),
    );
  }
});

Deno.test("HTTP time limits default to 30 s for a head and a whole request, 5 s for an idle connection", () => {
  const config = parseConfig([], {});
  assert.deepEqual([config.headerTimeoutMs, config.requestTimeoutMs, config.idleTimeoutMs], [30_000, 30_000, 5_000]);
  assert.equal(config.publicHost, "");
});

Deno.test("a head may not be given longer than the whole request it is part of", () => {
  assert.throws(
    () => parseConfig(["--header-timeout", "40"], {}),
    new ConfigError("--header-timeout (40) must not be longer than --request-timeout (30)"),
  );
  assert.equal(parseConfig(["--header-timeout", "40", "--request-timeout", "60"], {}).headerTimeoutMs, 40_000);
});

Deno.test("the usage text lists every option with its default and variable", () => {
  const text = usage();
  for (const [flag, option] of Object.entries(OPTIONS)) {
    assert.ok(text.includes(`--${flag}`), flag);
    assert.ok(text.includes(`(default ${shownDefault(option)})`), `${flag} default`);
    assert.ok(text.includes(`[${envName(flag)}]`), `${flag} variable`);
  }
  assert.ok(text.includes("--help"));
});

Deno.test("a boolean option is a flag without a value, and its variable takes 1 or 0", () => {
  const tls = ["--tls-cert", "c.pem", "--tls-key", "k.pem"];
  assert.equal(parseConfig(tls, {}).noPlainTcp, false);
  assert.equal(parseConfig([...tls, "--no-plain-tcp"], {}).noPlainTcp, true);
  assert.equal(parseConfig(tls, { CHAT_NO_PLAIN_TCP: "1" }).noPlainTcp, true);
  assert.equal(parseConfig(tls, { CHAT_NO_PLAIN_TCP: "0" }).noPlainTcp, false);
  assert.throws(() => parseConfig(tls, { CHAT_NO_PLAIN_TCP: "maybe" }), /expected 1 or 0 in CHAT_NO_PLAIN_TCP/);
  assert.throws(() => parseConfig(["--no-plain-tcp=yes", ...tls], {}), TypeError);
});

Deno.test("a port without a default is unset unless given", () => {
  assert.equal(parseConfig([], {}).metricsPort, undefined);
  assert.equal(parseConfig(["--metrics-port", "0"], {}).metricsPort, 0);
  assert.equal(parseConfig([], { CHAT_METRICS_PORT: "9100" }).metricsPort, 9100);
  assert.throws(() => parseConfig(["--metrics-port", "x"], {}), /--metrics-port: expected a port/);
});

Deno.test("TLS needs both files, and TLS only needs TLS", () => {
  assert.throws(() => parseConfig(["--tls-cert", "c.pem"], {}), /--tls-cert and --tls-key go together/);
  assert.throws(() => parseConfig(["--no-plain-tcp"], {}), /--no-plain-tcp needs --tls-cert/);
  assert.equal(parseConfig(["--tls-cert", "c.pem", "--tls-key", "k.pem"], {}).tlsPort, 60001);
});

Deno.test("log format and level take only their choices", () => {
  assert.deepEqual([parseConfig([], {}).logFormat, parseConfig([], {}).logLevel], ["text", "info"]);
  assert.equal(parseConfig(["--log-format", "json", "--log-level", "debug"], {}).logLevel, "debug");
  assert.throws(
    () => parseConfig(["--log-level", "verbose"], {}),
    /--log-level: expected debug or info or warn or error/,
  );
});

Deno.test("--trust-proxy takes a list of addresses and ranges; --proxy-protocol needs it", () => {
  const none = parseConfig([], {});
  assert.deepEqual([none.trustProxy, none.proxyProtocol], ["", false]);
  const config = parseConfig(["--trust-proxy", "10.0.0.0/8, ::1", "--proxy-protocol"], {});
  assert.deepEqual([config.trustProxy, config.proxyProtocol], ["10.0.0.0/8, ::1", true]);
  const fromEnv = parseConfig([], { CHAT_TRUST_PROXY: "127.0.0.1", CHAT_PROXY_PROTOCOL: "1" });
  assert.deepEqual([fromEnv.trustProxy, fromEnv.proxyProtocol], ["127.0.0.1", true]);
  for (const [args, env] of [[["--proxy-protocol"], {}], [[], { CHAT_PROXY_PROTOCOL: "1" }]] as const) {
    assert.throws(() => parseConfig([...args], env), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `${args}: ${error}`);
      assert.match(error.message, /^--proxy-protocol needs --trust-proxy\b/);
      return true;
    });
  }
});

Deno.test("a --trust-proxy entry that is not an address or range is refused by name", () => {
  for (const entry of ["10.0.0.0/33", "::/129", "nope", "127.1", "10.0.0.0/8/8"]) {
    assert.throws(
      () => parseConfig(["--trust-proxy", `127.0.0.1, ${entry}`], {}),
      new ConfigError(`--trust-proxy: "${entry}" is not an address or CIDR range`),
    );
  }
  assert.throws(() => parseConfig([], { CHAT_TRUST_PROXY: "10.0.0.0/33" }), /--trust-proxy: "10\.0\.0\.0\/33"/);
});
