/**
 * The demo's company, generated from a seed: 90 employees in the laboratory's department structure,
 * client companies and contacts, and a few hundred deals across the three pipelines, each with a path
 * of stage moves spread over months. Pure: the same seed and config give the same company.
 */
import type { LabConfig } from '../config/config-sections.js';
import { slugify } from '../provision/pull-config.js';
import { randomTools, seededRandom } from '../random.js';

export interface DemoPerson {
  email: string;
  name: string;
  lastName: string;
  secondName: string;
  gender: 'M' | 'F';
  position: string;
  /** A department key of the config. */
  department: string;
  /** Heads are named in the config by e-mail. */
  heads: string[];
  /** Deactivated (dismissed) employees keep their records. */
  active: boolean;
}

export interface DemoCompany {
  key: string;
  title: string;
  phone: string;
  email: string;
  responsible: string;
}

export interface DemoContact {
  key: string;
  name: string;
  lastName: string;
  secondName: string;
  phone: string;
  email: string;
  company: string;
  responsible: string;
}

export interface DemoMove {
  /** Days after the start of the simulation. */
  day: number;
  /** Stage code of the pipeline (without the C<n>: prefix). */
  stage: string;
}

export interface DemoDeal {
  key: string;
  pipeline: string;
  title: string;
  company: string;
  contact: string;
  manager: string;
  amount: number;
  /** A list key of the SERVICE field. */
  service: string;
  auditRequired: boolean;
  /** Created on `moves[0].day` in `moves[0].stage`, then moved along. */
  moves: DemoMove[];
  /** Paid when the deal passes its payment stage. */
  paidShare: number;
}

export interface DemoCompanyData {
  people: DemoPerson[];
  companies: DemoCompany[];
  contacts: DemoContact[];
  deals: DemoDeal[];
  /** Days the simulation spans (deal histories are spread over them). */
  days: number;
}

const MALE = [
  'Александр',
  'Дмитрий',
  'Сергей',
  'Андрей',
  'Алексей',
  'Максим',
  'Иван',
  'Михаил',
  'Николай',
  'Павел',
  'Роман',
  'Олег',
  'Виктор',
  'Егор',
  'Артём',
];
const FEMALE = [
  'Анна',
  'Елена',
  'Ольга',
  'Наталья',
  'Татьяна',
  'Мария',
  'Ирина',
  'Светлана',
  'Екатерина',
  'Юлия',
  'Марина',
  'Дарья',
  'Ксения',
  'Вера',
  'Полина',
];
const LAST = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Алексеев',
  'Лебедев',
  'Семёнов',
  'Егоров',
  'Павлов',
  'Козлов',
  'Степанов',
  'Николаев',
  'Орлов',
  'Андреев',
  'Макаров',
  'Никитин',
  'Захаров',
];
const PATRONYMIC_BASE = [
  'Александров',
  'Дмитриев',
  'Сергеев',
  'Андреев',
  'Алексеев',
  'Иванов',
  'Михайлов',
  'Николаев',
  'Петров',
  'Викторов',
];
const CLIENT_WORDS = [
  'Сибирь',
  'Алтай',
  'Барнаул',
  'Обь',
  'Катунь',
  'Бийск',
  'Рубцовск',
  'Кулунда',
  'Белокуриха',
  'Сибгео',
  'Алтайнефть',
  'Регион',
  'Север',
  'Степь',
  'Горизонт',
];
const CLIENT_KINDS = [
  'ООО «%», строительство',
  'АО «%»',
  'ООО «%-Инвест»',
  'МУП «%водоканал»',
  'ООО «%Геология»',
  'Администрация г. %',
  'ООО «%Агро»',
];
const TITLES: Record<string, string[]> = {
  sales: [
    'Экспертиза грунтов',
    'Анализ проб воды',
    'Комплексное обследование участка',
    'Лабораторные испытания',
    'Геотехнические изыскания',
  ],
  procurement: [
    'Госконтракт: экспертиза',
    'Госконтракт: исследования проб',
    'Муниципальный заказ: обследование',
  ],
  subcontracts: ['Субподряд: испытания', 'Субподряд: анализ образцов', 'Субподряд: изыскания'],
};

/** How many people each department gets (90 in all), and what they do there. */
const STAFF: { department: string; count: number; position: string }[] = [
  { department: 'management', count: 3, position: 'Заместитель директора' },
  { department: 'sales', count: 15, position: 'Менеджер по продажам' },
  { department: 'procurement', count: 6, position: 'Специалист по госзакупкам' },
  { department: 'subcontracts', count: 5, position: 'Менеджер по субподрядам' },
  { department: 'laboratory', count: 4, position: 'Инженер лаборатории' },
  { department: 'lab-gti', count: 24, position: 'Лаборант ГТИ' },
  { department: 'lab-analytics', count: 21, position: 'Лаборант-аналитик' },
  { department: 'accounting', count: 4, position: 'Бухгалтер' },
];

/** Latin letters of a Russian name for an e-mail: the same transliteration as `pull` uses for keys. */
function translit(text: string): string {
  return slugify(text, 'user').replace(/-/g, '');
}

/**
 * The path a deal takes in its pipeline: the in-progress stages in order up to where it ends (an
 * open stage, the success stage or a failure stage), one move every few days.
 */
function pathFor(
  stages: { code: string; semantics: string }[],
  ends: number,
  outcome: 'open' | 'won' | 'lost',
  startDay: number,
  step: () => number,
  skip: (code: string) => boolean,
): DemoMove[] {
  const process = stages.filter((s) => s.semantics === 'process' && !skip(s.code));
  const success = stages.find((s) => s.semantics === 'success');
  const failure = stages.find((s) => s.semantics === 'failure');
  const moves: DemoMove[] = [];
  let day = startDay;
  const upTo = outcome === 'won' ? process.length : Math.min(ends, process.length);
  for (let i = 0; i < upTo; i++) {
    const stage = process[i];
    if (!stage) break;
    moves.push({ day, stage: stage.code });
    day += step();
  }
  if (outcome === 'won' && success) moves.push({ day, stage: success.code });
  if (outcome === 'lost' && failure) moves.push({ day, stage: failure.code });
  return moves;
}

export function generateCompany(config: LabConfig, seed = 24, deals = 360, days = 180): DemoCompanyData {
  const r = randomTools(seededRandom(seed));
  const usedEmails = new Set<string>();
  const person = (department: string, position: string, email?: string): DemoPerson => {
    const gender = r.chance(0.55) ? 'F' : 'M';
    const name = gender === 'F' ? r.pick(FEMALE) : r.pick(MALE);
    const base = r.pick(LAST);
    const lastName = gender === 'F' ? `${base}а` : base;
    const father = r.pick(PATRONYMIC_BASE);
    const secondName = gender === 'F' ? `${father}на` : `${father}ич`;
    let address = email ?? `${translit(name)}.${translit(base)}@sfo-nal.example`;
    for (let n = 2; usedEmails.has(address); n++)
      address = `${translit(name)}.${translit(base)}${n}@sfo-nal.example`;
    usedEmails.add(address);
    return {
      email: address,
      name,
      lastName,
      secondName,
      gender,
      position,
      department,
      heads: [],
      active: true,
    };
  };

  // Heads first, with the e-mails the config names.
  const people: DemoPerson[] = [];
  const byEmail = new Map<string, DemoPerson>();
  for (const dep of config.departments ?? []) {
    if (!dep.head) continue;
    const existing = byEmail.get(dep.head);
    if (existing) {
      existing.heads.push(dep.key);
      continue;
    }
    const head = person(
      dep.root ? 'management' : dep.key,
      dep.root ? 'Директор' : `Руководитель: ${dep.name}`,
      dep.head,
    );
    head.heads.push(dep.key);
    people.push(head);
    byEmail.set(dep.head, head);
  }
  for (const staff of STAFF) {
    for (let i = 0; i < staff.count && people.length < 90; i++)
      people.push(person(staff.department, staff.position));
  }
  // Two dismissed employees: their records are what doctor/repair is for.
  const managers = people.filter((p) => p.department === 'sales' && p.heads.length === 0);
  managers.at(-1)!.active = false;

  const companies: DemoCompany[] = [];
  for (let i = 0; i < 60; i++) {
    const word = CLIENT_WORDS[i % CLIENT_WORDS.length]!;
    const kind = CLIENT_KINDS[Math.floor(i / CLIENT_WORDS.length) % CLIENT_KINDS.length]!;
    companies.push({
      key: `company-${i + 1}`,
      title: kind.replace('%', word),
      phone: `+7 3852 ${String(200000 + i * 137).slice(0, 6)}`,
      email: `office${i + 1}@client${i + 1}.example`,
      responsible: r.pick(managers).email,
    });
  }
  const contacts: DemoContact[] = companies.flatMap((company, i) =>
    [0, 1].map((j) => {
      const female = r.chance(0.5);
      const base = r.pick(LAST);
      return {
        key: `contact-${i * 2 + j + 1}`,
        name: female ? r.pick(FEMALE) : r.pick(MALE),
        lastName: female ? `${base}а` : base,
        secondName: '',
        phone: `+7 913 ${String(1000000 + (i * 2 + j) * 7919).slice(0, 7)}`,
        email: `${translit(base)}${i * 2 + j + 1}@client${i + 1}.example`,
        company: company.key,
        responsible: company.responsible,
      };
    }),
  );

  const pipelineManagers: Record<string, DemoPerson[]> = {
    sales: managers.filter((m) => m.active),
    procurement: people.filter((p) => p.department === 'procurement'),
    subcontracts: people.filter((p) => p.department === 'subcontracts'),
  };
  const ownManager = (pipelineKey: string, email: string): DemoPerson | undefined =>
    pipelineKey === 'sales' ? pipelineManagers.sales?.find((p) => p.email === email) : undefined;
  const services = (config.dealFields?.find((f) => f.code === 'SERVICE')?.list ?? [])
    .map((v) => v.key)
    .filter((k): k is string => typeof k === 'string');
  if (services.length === 0) services.push('GTI');
  const shares: [string, number][] = [
    ['sales', 0.6],
    ['procurement', 0.25],
    ['subcontracts', 0.15],
  ];
  const dealList: DemoDeal[] = [];
  for (let i = 0; i < deals; i++) {
    const x = r.random();
    const pipelineKey =
      x < shares[0]![1] ? 'sales' : x < shares[0]![1] + shares[1]![1] ? 'procurement' : 'subcontracts';
    const pipeline = (config.pipelines ?? []).find((p) => p.key === pipelineKey);
    if (!pipeline) continue;
    const stages = pipeline.stages.map((s) => ({ code: s.code, semantics: s.semantics }));
    const service = r.pick(services);
    const serviceStage = `PROD_${service === 'ANALYTICS' ? 'ANALYTICS' : service === 'COMPLEX' ? 'COMPLEX' : 'GTI'}`;
    // Production stages per service: a sales deal passes only its own service's production stage.
    const skip = (code: string): boolean => code.startsWith('PROD_') && code !== serviceStage;
    const o = r.random();
    const outcome = o < 0.45 ? 'open' : o < 0.8 ? 'won' : 'lost';
    const processCount = stages.filter((s) => s.semantics === 'process' && !skip(s.code)).length;
    const ends = r.int(1, processCount);
    const startDay = r.int(0, days - 5);
    const company = r.pick(companies);
    const contact = contacts.find((c) => c.company === company.key)!;
    // A client's own manager sells to it; the other pipelines have their own staff.
    const own = ownManager(pipelineKey, company.responsible);
    const manager = own ?? r.pick(pipelineManagers[pipelineKey] ?? managers);
    dealList.push({
      key: `deal-${i + 1}`,
      pipeline: pipelineKey,
      title: `${r.pick(TITLES[pipelineKey] ?? ['Сделка'])} — ${company.title}`,
      company: company.key,
      contact: contact.key,
      manager: manager.email,
      amount: r.int(15, 900) * 1000,
      service,
      auditRequired: r.chance(0.3),
      moves: pathFor(stages, ends, outcome, startDay, () => r.int(1, 12), skip).filter((m) => m.day < days),
      paidShare: r.pick([0, 0.5, 1, 1, 1]),
    });
  }
  return { people, companies, contacts, deals: dealList.filter((d) => d.moves.length > 0), days };
}
