/**
 * Runs `body` with these variables added to vipd's own process.env (as a daemon started
 * with them would have), and puts process.env back as it was afterwards.
 */
export async function withProcessEnv<T>(
  vars: Readonly<Record<string, string>>,
  body: () => Promise<T>,
): Promise<T> {
  const before = new Map(Object.entries(vars).map(([name]) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [name, value] of before) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}
