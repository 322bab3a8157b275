import { Role } from '@medbus/service-auth';
import { dropSchemas, schemaDataSource, uniqueName } from '@medbus/testing';
import { appealsTestMigrations, client, startAppealsTestApp, type AppealsTestApp } from '../appeals/appeals.int-app';
import type { Article, ArticleSummary } from './knowledge.query';

const schema = `cc_test_${uniqueName('knowledge').replace(/[^a-z0-9]/g, '')}`.slice(0, 60);

interface Results {
  items: ArticleSummary[];
  nextCursor: string | null;
}

function anArticle(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'FAQ',
    title: 'Вызов врача на дом',
    body: 'Врача на дом вызывают при температуре выше 38 градусов и состояниях, при которых пациент не может прийти в поликлинику.',
    tags: ['вызов на дом'],
    appealTypes: ['BOOKING'],
    ...fields,
  };
}

describe('the knowledge base', () => {
  let app: AppealsTestApp;
  let operator: ReturnType<typeof client>;
  let branchSupervisor: ReturnType<typeof client>;
  let headSupervisor: ReturnType<typeof client>;

  beforeAll(async () => {
    const dataSource = await schemaDataSource(schema, { migrations: appealsTestMigrations, migrationsTableName: 'contact_center_migrations' });
    app = await startAppealsTestApp(dataSource);
    operator = client(app.url, app.keyOf({ clientId: 'op-1', role: Role.OPERATOR, branch: 'sochi' }));
    branchSupervisor = client(app.url, app.keyOf({ clientId: 'sup-sochi', role: Role.BRANCH_SUPERVISOR, branch: 'sochi' }));
    headSupervisor = client(app.url, app.keyOf({ clientId: 'sup-head', role: Role.HEAD_SUPERVISOR, branch: null }));
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
  });

  const search = async (query: string) => (await operator<Results>('GET', `/v1/knowledge/articles?${query}`)).body;

  it('finds the article on booking a child to a pediatrician by other forms of its words, first, with the words marked', async () => {
    const found = await search(`q=${encodeURIComponent('записаться к педиатру')}`);
    expect(found.items[0]).toMatchObject({ slug: 'zapis-rebenka-k-pediatru', title: 'Запись к педиатрам: как записать ребёнка на приём', kind: 'SCRIPT', appealTypes: ['BOOKING'] });
    expect(found.items[0].snippet).toMatch(/\*\*педиатр[а-яё]*\*\*/i);
    expect(found.items[0].rank).toBeGreaterThan(0);
  });

  it('ranks an article whose title has the words above one that only mentions them', async () => {
    const found = await search(`q=${encodeURIComponent('регламент')}`);
    expect(found.items[0].slug).toBe('reglament-rassmotreniya-obrashcheniy');
    expect(found.items.map((item) => item.slug)).toContain('kontrolnyy-zvonok-zayavitelyu');
    expect(found.items.map((item) => item.rank)).toEqual([...found.items.map((item) => item.rank)].sort((a, b) => (b ?? 0) - (a ?? 0)));
  });

  it('finds nothing for words no article has, and filters by kind and appeal type', async () => {
    expect((await search(`q=${encodeURIComponent('стоматология протезирование')}`)).items).toEqual([]);
    const regulations = await search('kind=REGULATION');
    expect(regulations.items.map((item) => item.slug)).toEqual(['reglament-rassmotreniya-obrashcheniy']);
    const drugs = await search(`q=${encodeURIComponent('льготный рецепт')}&appealType=DRUG_PROVISION`);
    expect(drugs.items.map((item) => item.slug)).toEqual(['lgotnoe-lekarstvennoe-obespechenie']);
  });

  it('pages the results without repeating one', async () => {
    const first = await search('limit=2');
    const second = await search(`limit=2&cursor=${first.nextCursor}`);
    const rest = await search(`limit=10&cursor=${second.nextCursor}`);
    const slugs = [...first.items, ...second.items, ...rest.items].map((item) => item.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(slugs).toHaveLength(5);
    expect(rest.nextCursor).toBeNull();
  });

  it('lets a supervisor write an article that is found at once and linked from its appeal types, and only the head supervisor delete it', async () => {
    expect((await operator('PUT', '/v1/knowledge/articles/vyzov-vracha-na-dom', anArticle())).status).toBe(403);
    const created = await branchSupervisor<Article>('PUT', '/v1/knowledge/articles/vyzov-vracha-na-dom', anArticle());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: 'vyzov-vracha-na-dom', updatedBy: 'sup-sochi', appealTypes: ['BOOKING'] });
    expect((await search(`q=${encodeURIComponent('вызов врача при температуре')}`)).items.map((item) => item.slug)).toContain('vyzov-vracha-na-dom');

    const replaced = await branchSupervisor<Article>('PUT', '/v1/knowledge/articles/vyzov-vracha-na-dom', anArticle({ appealTypes: ['OTHER', 'CONSULTATION'] }));
    expect([replaced.status, replaced.body.appealTypes]).toEqual([200, ['CONSULTATION', 'OTHER']]);
    const forBooking = await operator<{ items: ArticleSummary[] }>('GET', '/v1/appeal-types/BOOKING/articles');
    expect(forBooking.body.items.map((item) => item.slug).sort()).toEqual(['obratnyy-zvonok-po-propushchennomu-vyzovu', 'zapis-rebenka-k-pediatru']);
    expect((await operator<{ items: ArticleSummary[] }>('GET', '/v1/appeal-types/CONSULTATION/articles')).body.items.map((item) => item.slug)).toEqual(['vyzov-vracha-na-dom']);

    expect((await branchSupervisor('DELETE', '/v1/knowledge/articles/vyzov-vracha-na-dom')).status).toBe(403);
    expect((await headSupervisor('DELETE', '/v1/knowledge/articles/vyzov-vracha-na-dom')).status).toBe(204);
    expect((await operator('GET', '/v1/knowledge/articles/vyzov-vracha-na-dom')).body.error?.code).toBe('CC.KB_ARTICLE_NOT_FOUND');
    expect((await headSupervisor('DELETE', '/v1/knowledge/articles/vyzov-vracha-na-dom')).status).toBe(404);
  });

  it('refuses an article linked to an unknown appeal type, and answers 404 for an unknown type’s articles', async () => {
    const refused = await headSupervisor('PUT', '/v1/knowledge/articles/new-one', anArticle({ appealTypes: ['NO_SUCH'] }));
    expect([refused.status, refused.body.error?.code]).toEqual([400, 'CC.INVALID_KNOWLEDGE_REQUEST']);
    expect((await operator('GET', '/v1/knowledge/articles/new-one')).status).toBe(404);
    expect((await operator('GET', '/v1/appeal-types/NO_SUCH/articles')).body.error?.code).toBe('CC.APPEAL_TYPE_NOT_FOUND');
  });
});
