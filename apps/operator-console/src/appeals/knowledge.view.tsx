import { useDeferredValue, useState } from 'react';
import { Refusal } from '../api/refusal.view';
import { articleKindName, snippetParts, type ArticleSummary } from './appeals.mapper';
import { useArticle, useKnowledgeSearch, useTypeArticles } from './appeals.query';

function Snippet({ text }: { text: string }) {
  return (
    <span className="kb-snippet">
      {snippetParts(text).map((part, index) => (part.matched ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}
    </span>
  );
}

/**
 * The knowledge base beside the appeal being written or read: the articles linked from its type until
 * the operator searches (Russian full text, any word form), then the best matches; an article opens here.
 */
export function KnowledgePanel({ typeCode, typeName }: { typeCode: string; typeName: string | null }) {
  const [input, setInput] = useState('');
  const q = useDeferredValue(input.trim());
  const [open, setOpen] = useState<string | null>(null);
  const linked = useTypeArticles(typeCode);
  const found = useKnowledgeSearch(q);
  const article = useArticle(open);
  const searching = q !== '';
  const items: readonly ArticleSummary[] = searching ? (found.data?.items ?? []) : (linked.data?.items ?? []);
  const error = searching ? found.error : linked.error;

  return (
    <div className="panel appeals-kb">
      <h2>База знаний</h2>
      <input
        data-testid="kb-search"
        type="search"
        placeholder="Поиск: «запись к педиатру», «перенос приёма»…"
        value={input}
        onChange={(e) => {
          setInput(e.target.value);
          setOpen(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            if (items[0]) setOpen(items[0].slug);
          }
        }}
        title="Alt+K; Enter открывает первую статью"
        accessKey="k"
        aria-label="Поиск в базе знаний"
      />
      <p className="muted kb-scope">
        {searching ? (found.isFetching ? 'Поиск…' : `Найдено: ${items.length}`) : typeCode ? `Статьи к типу «${typeName ?? typeCode}»` : 'Выберите тип обращения или введите запрос.'}
      </p>
      {error ? <Refusal error={error} /> : null}
      <div className="kb-body">
        {open && article.data ? (
          <article className="kb-article">
            <button type="button" onClick={() => setOpen(null)} title="Esc">
              ← К списку
            </button>
            <h3>{article.data.title}</h3>
            <p className="muted">{articleKindName(article.data.kind)}</p>
            <div className="kb-text">{article.data.body}</div>
          </article>
        ) : (
          <ul className="kb-list">
            {items.map((a) => (
              <li key={a.slug} data-testid="kb-result" data-slug={a.slug}>
                <button type="button" className="link" onClick={() => setOpen(a.slug)}>
                  {a.title}
                </button>{' '}
                <span className="muted">{articleKindName(a.kind)}</span>
                {a.snippet ? (
                  <div>
                    <Snippet text={a.snippet} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {open && article.error ? <Refusal error={article.error} /> : null}
      </div>
    </div>
  );
}
