// The REST API. buildApp returns a fastify instance that is not listening; the daemon's main
// listens and closes it. Every route has schemas for its inputs and replies (schemas.ts),
// from which the TypeBox type provider types each handler's params, query, body and result.
// Every error answer is { code, message } with a code from the catalog, and is counted; a
// handler refuses by throwing a VipdError.

import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { Static } from 'typebox';
import type { Secret } from '../config/secret.js';
import { ERROR_CATALOG, VipdError, type ErrorCode } from '../errors.js';
import type { ApiDropReason, VipdMetrics } from '../metrics/metrics.js';
import { VIPD_VERSION } from '../version.js';
import { DEFAULT_EVENT_STREAM_LIMITS, type EventStreamLimits } from '../events/event-stream.js';
import { DEFAULT_ACTOR, type OperatorCall } from '../events/operator-call.js';
import { EventRing } from '../events/ring.js';
import { isAllowedHost } from './allowed-host.js';
import type { CommandOutcome, DaemonControl } from './control.js';
import { MAX_EVENT_STREAMS, addEventRoutes } from './event-routes.js';
import {
  DEFAULT_API_LIMITS,
  answerClientError,
  enforceConnectionLimits,
  serverOptions,
  type ApiLimits,
} from './limits.js';
import { RefusalLog } from './refusal-log.js';
import { loadWebAssets, registerWebView, type WebAsset } from './web-view.js';
import {
  DEFAULT_WAIT_MS,
  errorReplies,
  errorSchema,
  groupParamsSchema,
  groupReference,
  groupSchema,
  maintenanceBodySchema,
  maintenanceReplySchema,
  metricsReplySchema,
  operatorCallBodySchema,
  probeReplySchema,
  statusSchema,
  takeoverReplySchema,
  waitQuerySchema,
} from './schemas.js';

export interface ApiDeps {
  readonly control: DaemonControl;
  readonly metrics: VipdMetrics;
  readonly logger: Logger;
  /** The bearer token for mutating calls; read per request so a reload can rotate it. */
  readonly token: () => Secret | null;
  /** Host names the API answers to besides IP literals and localhost (api.allowed_hosts). */
  readonly allowedHosts?: () => readonly string[];
  /** Connection cap and timeouts; the defaults unless given. */
  readonly limits?: Partial<ApiLimits>;
  /** Milliseconds on a monotonic clock, for the refusal log's interval. */
  readonly now?: () => number;
  /** The web view's files (web-view.ts); the package's own unless given. */
  readonly webAssets?: ReadonlyMap<string, WebAsset>;
  /** The event history behind GET /v1/events; an empty one of its own unless given. */
  readonly events?: EventRing;
  /** Heartbeat, slow-client bound and cap of the event streams; the defaults unless given. */
  readonly eventStreams?: Partial<EventStreamLimits & { readonly maxStreams: number }>;
}

export const BODY_LIMIT_BYTES = 16 * 1024;

const DROP_TEXT: Record<ApiDropReason, string> = {
  'max-connections': 'api.max_connections connections are open, each in a request',
  evicted: 'api.max_connections reached: a connection with no request in progress made room',
  timeout: 'the request did not arrive within the headers or request timeout',
  idle: 'nothing was sent or read for the idle timeout',
  malformed: 'not a valid HTTP request',
};

/**
 * The wait of takeover and release. ajv has filled in the schema's default before the handler
 * runs; the type derived from the schema cannot know that the key is then always there.
 */
function waitMs(query: Static<typeof waitQuerySchema>): number {
  return query.timeout_ms ?? DEFAULT_WAIT_MS;
}

/**
 * Bodies must match exactly (no coercion, no silently dropped keys); query strings coerce.
 * ajv, not TypeBox's own checker, so that the 400 messages stay ajv's, as documented.
 */
function validatorCompilers() {
  const strict = new Ajv({
    allErrors: false,
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: true,
  });
  const coercing = new Ajv({
    allErrors: false,
    coerceTypes: true,
    removeAdditional: false,
    useDefaults: true,
  });
  for (const ajv of [strict, coercing]) addFormats.default(ajv);
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema);
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const { control, metrics } = deps;
  const limits: ApiLimits = { ...DEFAULT_API_LIMITS, ...deps.limits };
  const allowedHosts = deps.allowedHosts ?? (() => []);
  const log = deps.logger.child({ component: 'api' });
  // Without a ring of the daemon's (tests, the OpenAPI document) events go to one of the app's.
  const events = deps.events ?? new EventRing({ capacity: 100, node: 'this-node' });
  const baseLogger: FastifyBaseLogger = log;
  const refusalLog = () =>
    new RefusalLog({
      log,
      intervalMs: limits.refusalLogIntervalMs,
      now: deps.now ?? (() => performance.now()),
    });
  const authRefusals = refusalLog();
  const hostRefusals = refusalLog();
  const connectionCuts = refusalLog();
  const dropped = (reason: ApiDropReason) => {
    metrics.apiConnectionsDropped.inc({ reason });
    connectionCuts.warn({ reason }, `API connection cut: ${DROP_TEXT[reason]}`);
  };
  const app = Fastify({
    ...serverOptions(limits),
    clientErrorHandler: answerClientError(dropped),
    loggerInstance: baseLogger,
    // Operator actions get their own audit line; scrapes and status polls are not logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Behind no proxy: the remote address is the operator's.
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  enforceConnectionLimits(app.server, limits, dropped);
  app.addHook('onClose', () => {
    authRefusals.flush('mutating calls refused');
    hostRefusals.flush('requests with a foreign Host refused');
    connectionCuts.flush('API connections cut');
  });
  app.setValidatorCompiler(validatorCompilers());
  // Bodies are JSON only; anything else is 415 rather than a confusing schema error.
  app.removeContentTypeParser('text/plain');

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'vipd',
        version: VIPD_VERSION,
        description:
          'Status and control of one vipd node. Mutating calls need `Authorization: Bearer <token>`, ' +
          'checked before the body is read. Every request must name the node by an IP address, ' +
          '`localhost` or a name in `api.allowed_hosts` (the Host header), else 421. ' +
          'Errors are `{ code, message }`; codes are listed in docs/errors.md.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  app.addSchema(errorSchema);
  app.addSchema(groupSchema);

  const sendError = (reply: FastifyReply, code: ErrorCode, message?: string) => {
    metrics.apiRejected.inc({ code });
    return reply
      .code(ERROR_CATALOG[code].httpStatus)
      .type('application/json')
      .send({ code, message: message ?? ERROR_CATALOG[code].message });
  };

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof VipdError) return sendError(reply, error.code, error.message);
    if (error.validation) {
      return sendError(
        reply,
        'INVALID_REQUEST',
        `${error.validationContext ?? 'request'} ${error.message.replace(/^(body|params|querystring)\s*/, '')}`,
      );
    }
    if (error.statusCode === 413) {
      return sendError(reply, 'BODY_TOO_LARGE', `the body exceeds ${BODY_LIMIT_BYTES} bytes`);
    }
    if (error.statusCode === 415) return sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', error.message);
    if (error.statusCode === 400) return sendError(reply, 'INVALID_REQUEST', error.message);
    request.log.error({ err: error, url: request.url }, 'request failed');
    return sendError(reply, 'INTERNAL');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );

  /** Every route: DNS rebinding protection (see allowed-host.ts). */
  app.addHook('onRequest', async (request, reply) => {
    // A browser must take every answer for the type it is labelled with (a JSON error that
    // echoes a name is never run as a script or rendered as HTML).
    reply.header('x-content-type-options', 'nosniff');
    if (isAllowedHost(request.headers.host, allowedHosts())) return;
    // A header can be kilobytes long; a name is at most 253 characters and a port.
    const host = (request.headers.host ?? '').slice(0, 260);
    hostRefusals.warn(
      { remote: request.ip, host, method: request.method, url: request.url.split('?')[0] },
      `request refused: Host "${host}" is not an IP address, localhost or in api.allowed_hosts (a DNS rebinding page, or a name to add there)`,
    );
    return sendError(
      reply,
      'HOST_NOT_ALLOWED',
      `Host "${host}" is not an IP address, localhost or one of api.allowed_hosts`,
    );
  });

  /**
   * onRequest of mutating routes: a bearer token, compared in constant time, before the body
   * is read, so a client without the token never gets its body parsed. Its connection is
   * closed with the answer, which spares reading (and discarding) the rest of the body.
   */
  const requireToken = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = deps.token();
    const who = { remote: request.ip, route: request.routeOptions.url, method: request.method };
    if (token === null) {
      authRefusals.warn({ operator: who }, 'mutating call refused: no API token configured');
      return sendError(reply.header('connection', 'close'), 'API_READ_ONLY');
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (match?.[1] === undefined || !token.equals(match[1].trim())) {
      authRefusals.warn(
        { operator: who, presented: header === '' ? 'none' : 'wrong' },
        'mutating call refused: bad bearer token',
      );
      return sendError(
        reply.header('connection', 'close'),
        'UNAUTHORIZED',
        header === '' ? 'missing Authorization: Bearer <token>' : 'wrong bearer token',
      );
    }
  };

  const requireRunning = async (_request: FastifyRequest, reply: FastifyReply) => {
    const phase = control.phase();
    if (phase !== 'running') return sendError(reply, 'NOT_READY', `the daemon is ${phase}`);
  };

  /**
   * Answer an operator command, count it and leave an audit line (who, what, result). A
   * refusal is thrown, for the error handler to answer like every other error.
   */
  const answer = <T>(
    request: FastifyRequest,
    action: 'takeover' | 'release' | 'maintenance-on' | 'maintenance-off',
    target: string | null,
    outcome: CommandOutcome<T>,
    startedAt: number,
    call: OperatorCall = {},
  ) => {
    const result = outcome.ok ? 'ok' : outcome.code;
    metrics.operatorActions.inc({ action, result });
    const actor = call.actor ?? DEFAULT_ACTOR;
    const entry = {
      operator: {
        remote: request.ip,
        actor,
        ...(call.reason === undefined ? {} : { reason: call.reason }),
      },
      action,
      ...(target === null ? {} : { group: target }),
      result,
      durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
      ...(outcome.ok ? {} : { reason: outcome.message }),
    };
    const why = call.reason === undefined ? '' : ` ("${call.reason}")`;
    const said = `operator ${action}${target === null ? '' : ` ${target}`} by ${actor} from ${request.ip}${why}: ${outcome.ok ? 'done' : `refused (${outcome.code}: ${outcome.message})`}`;
    log.info(entry, said);
    events.record({
      kind: 'operator',
      ...(target === null ? {} : { group: target }),
      reason: action,
      to: result,
      actor,
      detail: said,
    });
    if (!outcome.ok) throw new VipdError(outcome.code, outcome.message);
    return outcome.value;
  };

  const mutating = { onRequest: requireToken, preHandler: requireRunning };
  /** Takeover and release take an optional body: none at all is an empty one. */
  const optionalBody = {
    ...mutating,
    preValidation: (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      request.body ??= {};
      done();
    },
  };
  const security = [{ bearer: [] }];

  const { maxStreams = MAX_EVENT_STREAMS, ...streamLimits } = deps.eventStreams ?? {};
  addEventRoutes(app, {
    ring: events,
    registry: metrics.registry,
    limits: { ...DEFAULT_EVENT_STREAM_LIMITS, ...streamLimits },
    maxStreams,
  });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  app.get(
    '/v1/status',
    {
      schema: {
        summary:
          'Node, peers (up, RTT, last heartbeat) and groups (state, priorities, epoch, master)',
        response: { 200: statusSchema, ...errorReplies(421) },
      },
    },
    () => control.status(),
  );

  app.get(
    '/v1/groups/:name',
    {
      schema: {
        summary: 'One group',
        params: groupParamsSchema,
        response: { 200: groupReference(), ...errorReplies(404, 421) },
      },
    },
    (request) => {
      const group = control.group(request.params.name);
      if (group === null)
        throw new VipdError('UNKNOWN_GROUP', `no group "${request.params.name}" on this node`);
      return group;
    },
  );

  app.post(
    '/v1/groups/:name/takeover',
    {
      ...optionalBody,
      schema: {
        summary:
          'Make this node master of the group now (a forced takeover: new epoch, wins even with preempt off)',
        description:
          'Answers once this node is master, the VIPs are on the interface and the first gratuitous ARP / NA frames are out; or 409 with the reason it may not (fault, maintenance, no quorum, …).',
        security,
        params: groupParamsSchema,
        querystring: waitQuerySchema,
        body: operatorCallBodySchema,
        response: {
          200: takeoverReplySchema,
          ...errorReplies(400, 401, 403, 404, 409, 421, 503, 504),
        },
      },
    },
    async (request) => {
      const startedAt = performance.now();
      const call = request.body;
      const outcome = await control.takeover(request.params.name, waitMs(request.query), call);
      return answer(request, 'takeover', request.params.name, outcome, startedAt, call);
    },
  );

  app.post(
    '/v1/groups/:name/release',
    {
      ...optionalBody,
      schema: {
        summary: 'Hand the group to the best other node and stay backup',
        description:
          'Answers once this node has left MASTER and removed the VIPs; 409 NOT_MASTER or NO_CANDIDATE otherwise.',
        security,
        params: groupParamsSchema,
        querystring: waitQuerySchema,
        body: operatorCallBodySchema,
        response: {
          200: groupReference(),
          ...errorReplies(400, 401, 403, 404, 409, 421, 503, 504),
        },
      },
    },
    async (request) => {
      const startedAt = performance.now();
      const call = request.body;
      const outcome = await control.release(request.params.name, waitMs(request.query), call);
      return answer(request, 'release', request.params.name, outcome, startedAt, call);
    },
  );

  app.post(
    '/v1/maintenance',
    {
      ...mutating,
      schema: {
        summary: 'Drain this node (every group hands over and stays backup) or bring it back',
        security,
        body: maintenanceBodySchema,
        response: { 200: maintenanceReplySchema, ...errorReplies(400, 401, 403, 409, 421, 503) },
      },
    },
    async (request) => {
      const startedAt = performance.now();
      const { enabled, ...call } = request.body;
      const outcome = await control.setMaintenance(enabled, call);
      return answer(
        request,
        enabled ? 'maintenance-on' : 'maintenance-off',
        null,
        outcome,
        startedAt,
        call,
      );
    },
  );

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: the process answers',
        response: { 200: probeReplySchema, ...errorReplies(421) },
      },
    },
    () => ({ status: 'ok', phase: control.phase() }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: stale VIPs cleaned up, joined the cluster, not stopping',
        response: { 200: probeReplySchema, ...errorReplies(421, 503) },
      },
    },
    () => {
      const phase = control.phase();
      if (phase !== 'running') throw new VipdError('NOT_READY', `the daemon is ${phase}`);
      return { status: 'ready', phase };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: metricsReplySchema, ...errorReplies(421) },
      },
    },
    async (_request, reply) => {
      const text = await metrics.render();
      reply.type(metrics.contentType);
      return text;
    },
  );

  registerWebView(app, deps.webAssets ?? loadWebAssets(), (reply, path) =>
    sendError(reply, 'NOT_FOUND', `no file ${path} in the web view`),
  );

  return app;
}
