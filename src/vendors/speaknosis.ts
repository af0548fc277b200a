import * as z from 'zod/mini';
import { DoctorGateError } from '../core/errors.js';
import { emailAddress, pathSegment, positiveDecimal } from '../core/schema.js';
import { LANGS, type Doctor } from '../core/types.js';
import type { Created, Vendor } from '../core/vendor.js';

/** What Speaknosis needs to create a user (seed 003): all but `email` are required. */
const doctorSchema = z.looseObject({
  // The id is the last segment of the check's URL path.
  id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128), pathSegment),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  lastname: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  // At most 254 characters: the SMTP limit.
  email: z.optional(emailAddress.check(z.maxLength(254))),
  specialityId: positiveDecimal,
  lang: z.enum(LANGS),
});

const userStatus = z.looseObject({ id: z.union([z.string(), z.number()]), status: z.string() });
const createAnswer = z.looseObject({ response: z.array(userStatus) });

/** The per-user statuses seed 003 documents, and the sandbox's "already exists" for an active id: nothing else is success. */
const OUTCOME_OF_STATUS: Readonly<Record<string, Created['outcome']>> = {
  'user created successfully': 'created',
  'updated and reactivated userId': 'reactivated',
  // Two tabs may race to create the same doctor: the loser's "already exists" is a success.
  'user already exists': 'existing',
};

const toCreated = (
  status: string,
  account: Record<string, unknown>,
  where: string,
  redact: (text: string) => string,
) => {
  const outcome = Object.hasOwn(OUTCOME_OF_STATUS, status) ? OUTCOME_OF_STATUS[status] : undefined;
  if (outcome) return { outcome, account };
  return new DoctorGateError(
    'create-failed',
    `${where}: user ${String(account['id'])} not created, status "${redact(status).slice(0, 120)}"`,
    {
      step: 'create',
    },
  );
};

/** The doctor fields of the seed's POST body, in its order, and nothing else. */
const body = (doctor: Doctor) => ({
  id: doctor.id,
  name: doctor.name,
  lastname: doctor.lastname,
  ...(doctor.email ? { email: doctor.email } : {}),
  specialityId: doctor.specialityId,
  lang: doctor.lang,
});

/** The check's answer for an active user: the seed's envelope, `success: true`, the user with its id. */
const checkAnswer = z.looseObject({
  success: z.literal(true),
  response: z.looseObject({ id: z.union([z.string(), z.number()]) }),
});

/** Speaknosis doctor API (seed 003): check by id, create/reactivate by POSTing an array. */
export const speaknosis: Vendor = {
  name: 'speaknosis',
  authScheme: 'Bearer',
  // A soft-deleted user answers 404 like a new one: before-create cannot tell.
  knowsInactive: false,
  label: 'Speaknosis',
  popup: { name: 'SpeaknosisPopUp', features: 'width=900,height=650' },
  // The portal takes the medical center's token in the URL fragment, which never reaches a server.
  launchValues: ({ credential }) => ({ token: credential }),
  appUrl:
    'https://portal.speaknosis.com/#/pop-up/?view={view}&token={token}&doctorId={doctorId}&appointmentId={appointmentId}&reportExampleId={reportExampleId}',
  doctorSchema,
  key: (doctor) => String(doctor.id),

  async find(http, doctor, scope, signal) {
    const answer = await http.request({
      method: 'GET',
      path: ['provider', scope.providerId!, 'user', doctor.id!],
      step: 'check',
      signal,
      accept: [404],
    });
    if (answer.status === 404) return null;
    // Only the documented envelope for this very id means "exists"; any other 2xx (204, an error
    // envelope sent with 200, another user) is a vendor answer the gate cannot trust.
    const { response } = http.parse(checkAnswer, answer, 'check');
    if (String(response.id) !== String(doctor.id)) {
      throw new DoctorGateError('bad-response', `${answer.where}: the answer is about another user`, {
        step: 'check',
        status: answer.status,
      });
    }
    return { active: true, account: response };
  },

  async create(http, doctor, _found, scope, signal) {
    const [result] = await this.createMany!(http, [doctor], scope, signal);
    if (result instanceof Error) throw result;
    return result!;
  },

  async createMany(http, doctors, scope, signal) {
    const answer = await http.request({
      method: 'POST',
      path: ['provider', scope.providerId!, 'user'],
      body: doctors.map(body),
      step: 'create',
      signal,
      // 409 carries the same per-user statuses ("user already exists").
      accept: [409],
    });
    const { response } = http.parse(createAnswer, answer, 'create');
    const byId = new Map(response.map((user) => [String(user.id), user]));
    return doctors.map((doctor) => {
      const user = byId.get(String(doctor.id));
      if (!user) {
        return new DoctorGateError('bad-response', `${answer.where}: the answer leaves out user ${doctor.id}`, {
          step: 'create',
          status: answer.status,
        });
      }
      const { status: userStatus, ...account } = user;
      return toCreated(userStatus, account, answer.where, (text) => http.redact(text));
    });
  },
};
