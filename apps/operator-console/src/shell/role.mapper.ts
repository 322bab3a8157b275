const names: Record<string, string> = {
  OPERATOR: 'Оператор',
  SECOND_LINE: 'Вторая линия',
  BRANCH_SUPERVISOR: 'Супервизор филиала',
  HEAD_SUPERVISOR: 'Супервизор головного центра',
};

export const roleName = (role: string): string => names[role] ?? role;
